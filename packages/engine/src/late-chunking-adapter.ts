/**
 * Lets late chunking run on an engine's already loaded model (one session, one download) instead
 * of loading the model a second time.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import type { Embedder } from './embedder.js';
import type { LateChunkingModel } from './late-chunking.js';

/**
 * A {@link LateChunkingModel} backed by `embedder`. The special tokens around every sequence
 * (e.g. `[CLS]` and `[SEP]`) are read off the tokenizer by encoding a probe word with and
 * without them.
 *
 * @example
 * ```ts
 * const model = lateChunkingModelOf(embedder);
 * const { vectors } = await lateChunkEmbed(model, text, chunkText(text, { maxTokens: 64, countTokens: embedder.countTokens }));
 * ```
 */
export function lateChunkingModelOf(embedder: Embedder): LateChunkingModel {
  const probe = 'a';
  const bare = embedder.encode(probe, false);
  const full = embedder.encode(probe, true);
  const at = findSubsequence(full, bare);
  if (bare.length === 0 || at < 0) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `cannot find where ${embedder.info.modelId}'s special tokens go: the tokenizer's output with special tokens does not contain the output without them`,
    );
  }
  return {
    encode: (text) => embedder.encode(text, false),
    prefixIds: full.slice(0, at),
    suffixIds: full.slice(at + bare.length),
    maxTokens: embedder.info.maxTokens,
    tokenStates: (ids) => embedder.tokenStatesOfIds(ids),
  };
}

function findSubsequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

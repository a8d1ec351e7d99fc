/**
 * Validation of the texts handed to the engine: every bad input becomes a typed error that names
 * the offending position.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/**
 * Checks a batch of texts. Throws `EMPTY_BATCH` for `[]`, `NOT_A_STRING` for a non-string entry
 * (or a non-array batch), `EMPTY_TEXT` for a string that is empty or only whitespace, and
 * `TEXT_TOO_LONG` for one over `maxChars` characters.
 */
export function assertTexts(texts: unknown, maxChars: number): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) {
    throw new WebEmbedError('NOT_A_STRING', `texts must be an array of strings, got ${describe(texts)}`);
  }
  if (texts.length === 0) {
    throw new WebEmbedError('EMPTY_BATCH', 'texts is an empty array; pass at least one string');
  }
  for (let index = 0; index < texts.length; index++) assertText(texts[index], maxChars, index);
}

/**
 * Checks one text (see {@link assertTexts}); `index` names its position in messages, as an
 * element of `list` (default `texts`).
 */
export function assertText(
  text: unknown,
  maxChars: number,
  index?: number,
  list = 'texts',
): asserts text is string {
  const where = index === undefined ? 'text' : `${list}[${index}]`;
  if (typeof text !== 'string') {
    throw new WebEmbedError('NOT_A_STRING', `${where} must be a string, got ${describe(text)}`, { index });
  }
  if (text.trim() === '') {
    throw new WebEmbedError('EMPTY_TEXT', `${where} is empty or only whitespace; nothing to embed`, {
      index,
    });
  }
  if (text.length > maxChars) {
    throw new WebEmbedError(
      'TEXT_TOO_LONG',
      `${where} has ${text.length} characters, more than the limit of ${maxChars} (env.maxTextChars); split it or use chunking`,
      { index, actual: text.length, expected: maxChars },
    );
  }
}

/** Throws `ABORTED` when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new WebEmbedError('ABORTED', 'the operation was cancelled through its AbortSignal', undefined, {
      cause: signal.reason,
    });
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

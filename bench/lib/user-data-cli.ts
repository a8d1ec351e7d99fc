/**
 * Wiring of the user-data mode of `pnpm bench quality`: reads the data set folder, loads the
 * engine's in-process (Node) embedder for a model folder, evaluates, writes
 * bench-results/quality-user.{md,json}.
 *
 * @module
 */
import { resolve } from 'node:path';
import type { Float32Matrix } from '@webembed/core';
import { WebEmbedError } from '@webembed/core';
import type { ParsedArgs } from './args.js';
import { readDatasetFolder, type RetrievalDataset } from './mteb.js';
import { fmt, markdownTable, writeResults } from './report.js';
import { type Embedder, evaluateLabelled } from './user-data.js';

type EmbedFn = (texts: string[], options?: { kind?: 'query' | 'passage' }) => Promise<Float32Matrix>;

/**
 * Loads `@webembed/engine`'s in-process embedder for a local model folder. The engine is imported
 * lazily so the real-vector mode works without it.
 */
async function loadEngineEmbedder(modelDir: string): Promise<Embedder> {
  const engine = (await import('@webembed/engine')) as Record<string, unknown>;
  const factory = engine.createNodeEmbedder ?? engine.createEmbedder;
  if (typeof factory !== 'function') {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      '@webembed/engine exports no in-process embedder (expected createNodeEmbedder or createEmbedder); user-data mode needs it',
    );
  }
  const embedder = (await factory({ modelDir: resolve(modelDir) })) as { embed?: EmbedFn };
  if (typeof embedder?.embed !== 'function') {
    throw new WebEmbedError(
      'MODEL_LOAD_FAILED',
      `the engine embedder for ${modelDir} has no embed(texts) method`,
    );
  }
  const embed = embedder.embed.bind(embedder);
  return async (texts, kind) => {
    const batch = 32;
    const parts: Float32Matrix[] = [];
    for (let i = 0; i < texts.length; i += batch) {
      parts.push(await embed(texts.slice(i, i + batch), { kind }));
      if (texts.length > batch)
        process.stdout.write(`\r  embedded ${Math.min(texts.length, i + batch)}/${texts.length} ${kind}s`);
    }
    if (texts.length > batch) process.stdout.write('\n');
    const dims = parts[0].dims;
    const data = new Float32Array(texts.length * dims);
    let offset = 0;
    for (const part of parts) {
      data.set(part.data, offset);
      offset += part.data.length;
    }
    return { data, rows: texts.length, dims };
  };
}

function limit(
  data: RetrievalDataset,
  maxDocs: number | undefined,
  maxQueries: number | undefined,
): RetrievalDataset {
  if (maxDocs === undefined && maxQueries === undefined) return data;
  const queries = data.queries.slice(0, maxQueries ?? data.queries.length);
  // Keep every labelled document of the kept queries, then fill up to maxDocs.
  const keep = new Set<string>();
  for (const q of queries) for (const id of data.qrels.get(q.id)?.keys() ?? []) keep.add(id);
  const corpus = data.corpus.filter((d, i) => keep.has(d.id) || i < (maxDocs ?? data.corpus.length));
  return { corpus, queries, qrels: data.qrels };
}

/** Runs the user-data mode from parsed flags (`--data`, `--model`, `--k`, `--max-docs`, `--max-queries`). */
export async function runUserData(args: ParsedArgs): Promise<void> {
  if (typeof args.data !== 'string' || typeof args.model !== 'string') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'user-data mode needs both --data <folder> and --model <model dir>',
    );
  }
  const k = typeof args.k === 'number' ? args.k : 10;
  const data = limit(
    readDatasetFolder(args.data),
    args['max-docs'] as number | undefined,
    args['max-queries'] as number | undefined,
  );
  console.log(
    `data set ${args.data}: ${data.corpus.length} documents, ${data.queries.length} labelled queries`,
  );
  const embed = await loadEngineEmbedder(args.model);
  const result = await evaluateLabelled(data, embed, k);
  const table = markdownTable(
    ['search path', `NDCG@${k}`, `Recall@${k}`],
    result.scores.map((s) => [s.path, fmt(s.ndcg, 4), fmt(s.recall, 4)]),
  );
  const markdown = [
    `# Retrieval quality on ${args.data} with model ${args.model}`,
    '',
    `${result.corpus} documents, ${result.queries} labelled queries, ${result.dims} dims; embedding took ${fmt(result.embedMs / 1000, 1)} s.`,
    'Scores against the qrels labels (trec_eval-style NDCG with linear gain; Recall over labels with score > 0).',
    '',
    table,
  ].join('\n');
  console.log(`\n${table}`);
  writeResults('quality-user', markdown, { data: args.data, model: args.model, ...result });
}

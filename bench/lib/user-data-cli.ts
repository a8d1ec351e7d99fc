/**
 * Wiring of the user-data mode of `pnpm bench quality`: reads the data set folder, loads the
 * engine's in-process (Node) embedder for a model folder, evaluates, writes
 * bench-results/quality-user.{md,json}.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WebEmbedError } from '@webembed/core';
import type { ParsedArgs } from './args.js';
import { readDatasetFolder, type RetrievalDataset } from './mteb.js';
import { fmt, markdownTable, writeResults } from './report.js';
import { type Embedder, evaluateLabelled } from './user-data.js';

/** How to load a local model folder with the engine. */
export interface ModelFolderPlan {
  /** Value for the engine's `env.localModelPath`: the folder holding `<org>/<name>/`. */
  readonly localModelPath: string;
  /** Model id `<org>/<name>`. */
  readonly modelId: string;
  /** Output width read from `config.json` (`hidden_size`), used when the id is not a preset. */
  readonly dims: number;
  /** Token window: the smaller of `tokenizer_config.json` `model_max_length` and the position table. */
  readonly maxTokens: number;
  /** `q8` when `onnx/model_quantized.onnx` exists, else `fp32`. */
  readonly dtype: 'fp32' | 'q8';
}

/**
 * Reads what the engine needs from a transformers.js model folder (`<root>/<org>/<name>/` with
 * `config.json`, `tokenizer.json`, `onnx/model.onnx` or `onnx/model_quantized.onnx`).
 * Throws `NOT_FOUND` naming the missing file, `CORRUPT_FILE` for an unreadable config.
 */
export function planModelFolder(modelDir: string): ModelFolderPlan {
  const dir = resolve(modelDir);
  const need = (name: string) => {
    if (!existsSync(join(dir, name))) {
      throw new WebEmbedError(
        'NOT_FOUND',
        `model folder ${modelDir} lacks ${name}; expected a transformers.js model folder`,
        {
          file: name,
        },
      );
    }
    return join(dir, name);
  };
  const readJson = (name: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(need(name), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') throw err;
      throw new WebEmbedError('CORRUPT_FILE', `${name} in ${modelDir} is not valid JSON`, { file: name });
    }
  };
  const config = readJson('config.json');
  need('tokenizer.json');
  const hasQ8 = existsSync(join(dir, 'onnx', 'model_quantized.onnx'));
  if (!hasQ8) need(join('onnx', 'model.onnx'));
  const dims = Number(config.hidden_size);
  if (!Number.isInteger(dims) || dims < 1) {
    throw new WebEmbedError('CORRUPT_FILE', `config.json in ${modelDir} has no positive integer hidden_size`);
  }
  const positions = Number(config.max_position_embeddings) || 512;
  let maxTokens = positions;
  if (existsSync(join(dir, 'tokenizer_config.json'))) {
    const declared = Number(readJson('tokenizer_config.json').model_max_length);
    if (Number.isInteger(declared) && declared > 0) maxTokens = Math.min(positions, declared);
  }
  return {
    localModelPath: `${dirname(dirname(dir))}/`,
    modelId: `${basename(dirname(dir))}/${basename(dir)}`,
    dims,
    maxTokens,
    dtype: hasQ8 ? 'q8' : 'fp32',
  };
}

/**
 * Loads `@webembed/engine`'s in-process embedder (onnxruntime-node in Node) for a local model
 * folder. A preset id keeps its preset (prefixes, pooling); any other model gets mean pooling,
 * L2 normalization and the width of its config.
 */
export async function loadEngineEmbedder(
  modelDir: string,
  dtypeFlag?: string,
): Promise<{ embed: Embedder; dispose: () => Promise<void>; describe: string }> {
  const plan = planModelFolder(modelDir);
  const engine = await import('@webembed/engine');
  engine.env.localModelPath = plan.localModelPath;
  engine.env.allowRemoteModels = false;
  engine.env.useBrowserCache = false; // Node has no Cache API; files are read from the folder

  const preset = engine.PRESETS.get(plan.modelId);
  const dtype = (dtypeFlag ?? plan.dtype) as 'fp32' | 'q8';
  const embedder = await engine.createEmbedder({
    model: plan.modelId,
    device: 'cpu',
    dtype,
    overrides: preset
      ? undefined
      : { dims: plan.dims, pooling: 'mean', normalize: true, maxTokens: plan.maxTokens, matryoshkaDims: [] },
  });
  const embed: Embedder = async (texts, kind) => {
    const res = await embedder.embed(texts, {
      kind,
      onProgress: (done, total) => {
        if (total > 64) process.stdout.write(`\r  embedded ${done}/${total} ${kind}s`);
      },
    });
    if (texts.length > 64) process.stdout.write('\n');
    return res.vectors;
  };
  return {
    embed,
    dispose: () => embedder.dispose(),
    describe: `${plan.modelId} (${dtype}, ${embedder.info.backend}, ${preset ? 'preset' : 'no preset: mean pooling + L2'})`,
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
  const embedder = await loadEngineEmbedder(args.model, args.dtype as string | undefined);
  console.log(`model: ${embedder.describe}`);
  const result = await evaluateLabelled(data, embedder.embed, k);
  await embedder.dispose();
  const table = markdownTable(
    ['search path', `NDCG@${k}`, `Recall@${k}`],
    result.scores.map((s) => [s.path, fmt(s.ndcg, 4), fmt(s.recall, 4)]),
  );
  const markdown = [
    `# Retrieval quality on ${args.data} with model ${embedder.describe}`,
    '',
    `${result.corpus} documents, ${result.queries} labelled queries, ${result.dims} dims; embedding took ${fmt(result.embedMs / 1000, 1)} s.`,
    'Scores against the qrels labels (trec_eval-style NDCG with linear gain; Recall over labels with score > 0).',
    '',
    table,
  ].join('\n');
  console.log(`\n${table}`);
  writeResults('quality-user', markdown, { data: args.data, model: args.model, ...result });
}

/**
 * `pnpm bench engine`: embedding throughput in Node (onnxruntime-node, CPU) over a mixed-length
 * corpus, all measured in the same run:
 *   - one text at a time, fixed batches in input order, length-bucketed batches (the engine's default);
 *   - the engine against calling transformers.js' feature-extraction pipeline directly on the same
 *     texts in the same batches (the engine's overhead: tokenizing for counts, hashing, pooling).
 * Uses the fixture models; real presets too when their files are under $WEBEMBED_MODELS_DIR
 * (`<dir>/Xenova/all-MiniLM-L6-v2/...`). Results: bench-results/engine.{md,json}.
 *
 * Usage: `pnpm bench engine [--texts 384] [--batch 32] [--runs 3]`
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, env as transformersEnv } from '@huggingface/transformers';
import { fmt, markdownTable, median, writeResults } from '../../../bench/lib/report.js';
import { type Dtype, type Embedder, PRESETS, createEmbedder, env } from '../src/index.js';
import { repoRoot } from '../test/fixture-paths.js';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const TEXTS = arg('texts', 384);
const BATCH = arg('batch', 32);
const RUNS = arg('runs', 3);

/** Seeded mixed-length corpus: 70% short, 25% medium, 5% long (past a 128-token window). */
function mixedCorpus(count: number): string[] {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words =
    'the of and to in is it for on with as was at by search engine browser vector model text query data fast small big good old red blue green cold hot happy language music science history light night cat dog bird fish tree river sea sky sun moon rain snow car train road computer phone'.split(
      ' ',
    );
  return Array.from({ length: count }, () => {
    const r = random();
    const n =
      r < 0.7
        ? 3 + Math.floor(random() * 10)
        : r < 0.95
          ? 20 + Math.floor(random() * 30)
          : 90 + Math.floor(random() * 40);
    return Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
  });
}

interface Row {
  model: string;
  dtype: string;
  variant: string;
  textsPerSecond: number;
  medianMs: number;
}

/**
 * Median ms of each function, measured in interleaved rounds (a, b, c, a, b, c, ...) after one
 * warm-up each, so that load from other processes hits every variant alike.
 */
async function timeInterleaved(fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const fn of fns) await fn();
  const samples = fns.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      samples[i].push(performance.now() - start);
    }
  }
  return samples.map(median);
}

async function benchModel(modelId: string, dtype: Dtype, texts: string[]): Promise<Row[]> {
  const make = (batchSize: number, bucketByLength: boolean) =>
    createEmbedder({ model: modelId, dtype, device: 'cpu', batchSize, bucketByLength, cacheSize: 0 });
  const variants: [string, Embedder][] = [
    ['engine, one at a time', await make(1, false)],
    [`engine, fixed batches of ${BATCH}`, await make(BATCH, false)],
    [`engine, length-bucketed batches of ${BATCH}`, await make(BATCH, true)],
  ];
  // transformers.js directly, same batches in input order, pooling + normalization by the pipeline.
  const preset = PRESETS.get(modelId);
  const extractor = await pipeline('feature-extraction', modelId, { dtype, device: 'cpu' });
  const direct = async () => {
    for (let start = 0; start < texts.length; start += BATCH) {
      await extractor(texts.slice(start, start + BATCH), {
        pooling: preset?.pooling ?? 'mean',
        normalize: true,
      });
    }
  };
  const names = [...variants.map(([name]) => name), `transformers.js pipeline, fixed batches of ${BATCH}`];
  const times = await timeInterleaved([
    ...variants.map(
      ([, e]) =>
        () =>
          e.embed(texts),
    ),
    direct,
  ]);
  const rows = names.map((variant, i) => {
    const ms = times[i];
    console.log(
      `${modelId} ${dtype} | ${variant}: ${fmt(ms)} ms, ${fmt((texts.length / ms) * 1000)} texts/s`,
    );
    return { model: modelId, dtype, variant, textsPerSecond: (texts.length / ms) * 1000, medianMs: ms };
  });
  await extractor.dispose();
  for (const [, embedder] of variants) await embedder.dispose();
  return rows;
}

async function main() {
  env.allowRemoteModels = false;
  env.localModelPath = `${join(repoRoot, '.fixtures', 'models')}/`;
  transformersEnv.allowRemoteModels = false;
  transformersEnv.localModelPath = env.localModelPath;
  const texts = mixedCorpus(TEXTS);
  const models: [string, Dtype][] = [
    ['webembed-fixtures/mini-bert', 'fp32'],
    ['webembed-fixtures/mini-bert', 'q8'],
  ];
  const realDir = process.env.WEBEMBED_MODELS_DIR;
  if (realDir) {
    for (const id of [
      'Xenova/all-MiniLM-L6-v2',
      'Xenova/multilingual-e5-small',
      'Xenova/bge-small-en-v1.5',
    ]) {
      if (existsSync(join(realDir, id, 'onnx', 'model_quantized.onnx'))) models.push([id, 'q8']);
    }
  }
  const rows: Row[] = [];
  for (const [id, dtype] of models) {
    if (id.startsWith('Xenova/') && realDir) {
      env.localModelPath = `${realDir}/`;
      transformersEnv.localModelPath = env.localModelPath;
    }
    rows.push(...(await benchModel(id, dtype, texts)));
  }
  const ratios = models.map(([id, dtype]) => {
    const of = (prefix: string) =>
      rows.find((r) => r.model === id && r.dtype === dtype && r.variant.startsWith(prefix)) as Row;
    const fixed = of('engine, fixed');
    const bucketed = of('engine, length-bucketed');
    const direct = of('transformers.js');
    return {
      model: id,
      dtype,
      bucketedVsFixed: bucketed.textsPerSecond / fixed.textsPerSecond,
      engineOverhead: fixed.medianMs / direct.medianMs - 1,
    };
  });
  const md = [
    `# Embedding throughput (Node, onnxruntime-node CPU)`,
    '',
    `${TEXTS} texts of mixed length (70% 3-12 words, 25% 20-49, 5% 90-129: past the fixture's 128-token window), median of ${RUNS} interleaved rounds after one warm-up each, cache off.`,
    'Fixture models are tiny (1 layer, 32 wide), so tokenization and JS overhead weigh far more than with real models; real presets run only when $WEBEMBED_MODELS_DIR holds them.',
    '',
    markdownTable(
      ['model', 'dtype', 'variant', 'texts/s', 'median ms'],
      rows.map((r) => [r.model, r.dtype, r.variant, fmt(r.textsPerSecond, 0), fmt(r.medianMs)]),
    ),
    '',
    '## Ratios (same run)',
    '',
    markdownTable(
      [
        'model',
        'dtype',
        'bucketed / fixed batches (target >= 1.5x)',
        'engine overhead vs pipeline, same batches (target < 5%)',
      ],
      ratios.map((r) => [
        r.model,
        r.dtype,
        `${fmt(r.bucketedVsFixed)}x`,
        `${fmt(r.engineOverhead * 100, 1)}%`,
      ]),
    ),
    '',
    'No GPU on this machine: WebGPU figures are not measured here.',
  ].join('\n');
  console.log(`\n${md}`);
  writeResults('engine', md, { texts: TEXTS, batch: BATCH, runs: RUNS, rows, ratios });
}

await main();

/**
 * `pnpm bench quality`: retrieval quality of every quantized search path of `@webembed/core`
 * on the vendored real bge-m3 vectors (leave-one-out against exact float32 search), and, with
 * `--data <folder> --model <dir>`, NDCG@10 / Recall@k of the engine's embeddings on a labelled
 * MTEB/BEIR-style data set (see bench/README.md).
 *
 * Usage:
 *   pnpm bench quality                         # real-vector table
 *   pnpm bench quality --vectors corpus.npy [--queries queries.npy] [--max-queries 1000]
 *                                              # the same table on your own vectors (.npy, .fvecs, .json)
 *   pnpm bench quality --data ./my-set --model ./models/org/name [--k 10] [--dtype q8|fp32]
 *                      [--max-docs 5000] [--max-queries 500]
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';
import { type ParsedArgs, parseArgs } from './lib/args.js';
import { type QualityRow, type QuerySet, evaluateQueries, querySetTruth } from './lib/quality-eval.js';
import { qualityMethods } from './lib/quality-methods.js';
import { loadRealVectors } from './lib/real-data.js';
import { fmt, markdownTable, writeResults } from './lib/report.js';
import { runUserData } from './lib/user-data-cli.js';
import { type VectorFile, readVectorFile } from './lib/vector-files.js';

const K = 10;

/** Runs every method on `set` and prints one line per method. */
function measureMethods(set: QuerySet): QualityRow[] {
  const truth = querySetTruth(set, K);
  const rows: QualityRow[] = [];
  for (const method of qualityMethods(set.corpus.dims)) {
    const row = evaluateQueries(method, set, truth, K);
    rows.push(row);
    console.log(
      `  ${row.label.padEnd(44)} recall@10 ${fmt(row.recallAt10, 4)}  ndcg@10 ${fmt(row.ndcgAt10, 4)}  ${row.bytesPerVector} B/vec  (${fmt(row.searchMs, 0)} ms)`,
    );
  }
  return rows;
}

/** The quality table of both modes: one line per method. */
function methodTable(rows: readonly QualityRow[], dims: number): string {
  const float32Bytes = 4 * dims;
  return markdownTable(
    ['method', 'recall@10', 'NDCG@10', 'bytes / vector', 'size vs float32', 'note'],
    rows.map((r) => [
      r.label,
      fmt(r.recallAt10, 4),
      fmt(r.ndcgAt10, 4),
      r.bytesPerVector,
      `${fmt((100 * r.bytesPerVector) / float32Bytes, 1)}%`,
      r.note ?? '',
    ]),
  );
}

/** How the metrics and rows of the table are defined (shared by both modes). */
const LEGEND = [
  "- recall@10: share of the exact top-10 found in the method's top-10.",
  '- NDCG@10: the exact top-10 graded by exact rank (gain 10 for the best ... 1 for the 10th), log2 discount;',
  '  penalises both misses and misordering. 1.0 = the exact ranking.',
  '- bytes / vector: what the index keeps per vector (codes plus per-row side data such as the L1 norm).',
  '  Binary + rescore counts the rescoring rows too (they may live in IndexedDB instead of memory).',
  '- int8 rows: "int dot" quantizes the query with the corpus calibration (raw codes, legacy); "calibration-aware"',
  '  quantizes the weights q_i x step_i with one step per query (quantizeInt8Query, what searchInt8 does with',
  '  float queries); "decoded rows" scores the float query against the decoded codes (the ceiling).',
  '- Two-stage rows: candidates = ceil(10 x oversample) by Hamming distance or by asymmetric+L1 score, then',
  '  rescored with float32 rows or int8 (per-dimension ranges) rows.',
];

function realVectorTable(): { markdown: string; rows: QualityRow[] } {
  const vectors = loadRealVectors();
  console.log(
    `real vectors: ${vectors.rows} x ${vectors.dims} (bge-m3, data/bge-m3-alice), leave-one-out, k = ${K}`,
  );
  const all = Int32Array.from({ length: vectors.rows }, (_, i) => i);
  const rows = measureMethods({ corpus: vectors, queries: vectors, queryRows: all, exclude: all });
  const markdown = [
    '# Retrieval quality of the quantized search paths (real vectors)',
    '',
    `Data: the vendored REAL bge-m3 embeddings (data/bge-m3-alice: ${vectors.rows} x ${vectors.dims}, 500 sentence`,
    'and 500 paragraph chunks of "Alice\'s Adventures in Wonderland", unit length). Leave-one-out: each of the',
    `${vectors.rows} vectors is a query against the other ${vectors.rows - 1} (its own row skipped with the search's tombstone`,
    "mask). Ground truth: the bench's own exact float32 dot-product search (bench/lib/exact.ts).",
    '',
    ...LEGEND,
    '- Matryoshka rows: bge-m3 is NOT trained with Matryoshka representation learning; its prefixes are',
    '  shown anyway, as the baseline a Matryoshka model would have to beat.',
    '',
    methodTable(rows, vectors.dims),
  ].join('\n');
  return { markdown, rows };
}

function describeFile(file: VectorFile): string {
  const { rows, dims } = file.vectors;
  const scaled =
    file.normalizedRows > 0 ? `; ${file.normalizedRows} rows were not unit length and were normalized` : '';
  return `${file.path} (${file.format}, ${file.stored}, ${rows} x ${dims}${scaled})`;
}

/**
 * `--vectors <file> [--queries <file>] [--max-queries N]`: the same table on the user's own
 * embeddings, exact float32 search as the reference. Without a queries file, leave-one-out over
 * up to N corpus rows spread evenly (default 1,000).
 */
function userVectorTable(args: ParsedArgs): { markdown: string; json: unknown } {
  const corpusFile = readVectorFile(String(args.vectors));
  const queryFile = args.queries === undefined ? null : readVectorFile(String(args.queries));
  const corpus = corpusFile.vectors;
  if (queryFile && queryFile.vectors.dims !== corpus.dims) {
    throw new WebEmbedError(
      'DIMENSION_MISMATCH',
      `${queryFile.path}: queries have ${queryFile.vectors.dims} dims, the vectors in ${corpusFile.path} have ${corpus.dims}`,
      { expected: corpus.dims, actual: queryFile.vectors.dims },
    );
  }
  if (!queryFile && corpus.rows < 2) {
    throw new WebEmbedError('EMPTY_CORPUS', `${corpusFile.path}: leave-one-out needs at least 2 rows`);
  }
  const maxQueries = (args['max-queries'] as number | undefined) ?? 1000;
  const available = queryFile ? queryFile.vectors.rows : corpus.rows;
  const n = Math.min(Math.floor(maxQueries), available);
  // Evenly spread rows, so a sorted file (e.g. by source) is sampled across its length.
  const queryRows = Int32Array.from({ length: n }, (_, i) => Math.floor((i * available) / n));
  const set: QuerySet = queryFile
    ? { corpus, queries: queryFile.vectors, queryRows, exclude: new Int32Array(n).fill(-1) }
    : { corpus, queries: corpus, queryRows, exclude: queryRows };
  const how = queryFile
    ? `${n} queries from ${describeFile(queryFile)}, each against every row`
    : `leave-one-out: ${n} of the ${corpus.rows} rows (evenly spread) each query the other ${corpus.rows - 1}`;
  console.log(`your vectors: ${describeFile(corpusFile)}; ${how}; k = ${K}`);
  const rows = measureMethods(set);
  const markdown = [
    '# Retrieval quality of the quantized search paths (your vectors)',
    '',
    `Data: ${describeFile(corpusFile)}. Rows are compared by cosine similarity (each row scaled to unit length,`,
    `as the engine stores vectors). Queries: ${how}. Ground truth: the bench's own exact float32`,
    'dot-product search over the normalized rows (bench/lib/exact.ts).',
    '',
    ...LEGEND,
    '- Matryoshka rows: meaningful only if your model was trained with Matryoshka representation learning.',
    '',
    methodTable(rows, corpus.dims),
  ].join('\n');
  const json = {
    vectors: { path: corpusFile.path, format: corpusFile.format, rows: corpus.rows, dims: corpus.dims },
    queries: queryFile
      ? { path: queryFile.path, format: queryFile.format, rows: queryFile.vectors.rows }
      : null,
    evaluatedQueries: n,
    k: K,
    rows,
  };
  return { markdown, json };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    model: 'string',
    k: 'number',
    'max-docs': 'number',
    'max-queries': 'number',
    dtype: 'string',
    vectors: 'string',
    queries: 'string',
  });
  if (args.vectors !== undefined || args.queries !== undefined) {
    if (args.vectors === undefined) {
      throw new WebEmbedError('INVALID_ARGUMENT', '--queries needs --vectors <file> (the corpus)');
    }
    const { markdown, json } = userVectorTable(args);
    console.log(`\n${markdown}`);
    writeResults('quality-vectors', markdown, json);
    return;
  }
  if (args.data !== undefined || args.model !== undefined) {
    await runUserData(args);
    return;
  }
  const { markdown, rows } = realVectorTable();
  writeResults('quality', markdown, { data: 'data/bge-m3-alice (real bge-m3, 1000 x 1024)', k: K, rows });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * `pnpm bench quality`: retrieval quality of every quantized search path of `@webembed/core`
 * on the vendored real bge-m3 vectors (leave-one-out against exact float32 search), and, with
 * `--data <folder> --model <dir>`, NDCG@10 / Recall@k of the engine's embeddings on a labelled
 * MTEB/BEIR-style data set (see bench/README.md).
 *
 * Usage:
 *   pnpm bench quality                         # real-vector table
 *   pnpm bench quality --data ./my-set --model ./models/org/name [--k 10] [--dtype q8|fp32]
 *                      [--max-docs 5000] [--max-queries 500]
 *
 * @module
 */
import { fmt, markdownTable, writeResults } from './lib/report.js';
import { evaluateLeaveOneOut, leaveOneOutTruth, type QualityRow } from './lib/quality-eval.js';
import { qualityMethods } from './lib/quality-methods.js';
import { loadRealVectors } from './lib/real-data.js';
import { parseArgs } from './lib/args.js';
import { runUserData } from './lib/user-data-cli.js';

const K = 10;

function realVectorTable(): { markdown: string; rows: QualityRow[] } {
  const vectors = loadRealVectors();
  console.log(
    `real vectors: ${vectors.rows} x ${vectors.dims} (bge-m3, data/bge-m3-alice), leave-one-out, k = ${K}`,
  );
  const truth = leaveOneOutTruth(vectors, K);
  const rows: QualityRow[] = [];
  for (const method of qualityMethods(vectors.dims)) {
    const row = evaluateLeaveOneOut(method, vectors, truth, K);
    rows.push(row);
    console.log(
      `  ${row.label.padEnd(44)} recall@10 ${fmt(row.recallAt10, 4)}  ndcg@10 ${fmt(row.ndcgAt10, 4)}  ${row.bytesPerVector} B/vec  (${fmt(row.searchMs, 0)} ms)`,
    );
  }
  const float32Bytes = 4 * vectors.dims;
  const table = markdownTable(
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
  const markdown = [
    '# Retrieval quality of the quantized search paths (real vectors)',
    '',
    `Data: the vendored REAL bge-m3 embeddings (data/bge-m3-alice: ${vectors.rows} x ${vectors.dims}, 500 sentence`,
    'and 500 paragraph chunks of "Alice\'s Adventures in Wonderland", unit length). Leave-one-out: each of the',
    `${vectors.rows} vectors is a query against the other ${vectors.rows - 1} (its own row skipped with the search's tombstone`,
    "mask). Ground truth: the bench's own exact float32 dot-product search (bench/lib/exact.ts).",
    '',
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
    '- Matryoshka rows: bge-m3 is NOT trained with Matryoshka representation learning; its prefixes are',
    '  shown anyway, as the baseline a Matryoshka model would have to beat.',
    '',
    table,
  ].join('\n');
  return { markdown, rows };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), {
    data: 'string',
    model: 'string',
    k: 'number',
    'max-docs': 'number',
    'max-queries': 'number',
    dtype: 'string',
  });
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

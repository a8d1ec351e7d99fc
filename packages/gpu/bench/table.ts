/**
 * The result table of `pnpm bench gpu` (Chromium) and `pnpm bench gpu-node` (Node on Dawn).
 *
 * @module
 */
import { fmt, markdownTable } from '../../../bench/lib/report.js';
import type { BenchLine, BenchMode } from './page.js';

/** Every mode the GPU benchmarks time, in table order. */
export const ALL_MODES: readonly BenchMode[] = [
  'hamming',
  'asymmetric',
  'asymmetric-l1',
  'int8',
  'float32',
  'binary-rescore',
];

/** What the table's columns mean. */
export const GPU_TABLE_NOTE =
  '"GPU ms" is end to end (query upload, every dispatch, one mapAsync readback); "CPU ms" is @webembed/core on the same rows (WASM kernels, one thread). vectors/s counts corpus rows per batch; GB/s is the scanned column (binary words [+ L1 norms], int8 codes or floats) per batch. binary-rescore = asymmetric-l1 candidates x4 rescored from float32 rows. "same top-10": identical rows (hamming, int8) or >= 95% identical (float modes, where near-ties may swap).';

/** The upload line and the timing table of `lines`, as Markdown. */
export function gpuLinesMarkdown(lines: readonly BenchLine[]): string {
  const header = [
    'N',
    'dims',
    'mode',
    'queries',
    'GPU ms',
    'CPU ms',
    'CPU/GPU',
    'GPU M vectors/s',
    'GPU GB/s',
    'CPU GB/s',
    'same top-10',
  ];
  const rows = lines.map((l) => [
    l.n,
    l.dims,
    l.mode,
    l.queries,
    fmt(l.gpuMs),
    fmt(l.cpuMs),
    fmt(l.cpuMs / l.gpuMs),
    fmt(l.n / (l.gpuMs / 1000) / 1e6),
    fmt(l.scannedBytes / (l.gpuMs / 1000) / 1e9),
    fmt(l.scannedBytes / (l.cpuMs / 1000) / 1e9),
    l.backend !== 'webgpu' ? `(${l.backend})` : l.sameTopK ? 'yes' : 'NO',
  ]);
  const uploads = [...new Map(lines.map((l) => [`${l.n}x${l.dims}`, l.uploadMs])).entries()]
    .map(([shape, ms]) => `${shape}: ${fmt(ms)} ms`)
    .join('; ');
  return [`Upload (append, all kinds) per corpus: ${uploads}.`, '', markdownTable(header, rows)].join('\n');
}

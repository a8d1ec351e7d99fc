/**
 * Turns the measurements of `pnpm bench peers` into bench-results/peers.md (one table per data
 * set and size), peers.json and peers.svg (single-query latency per system, log scale).
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, markdownTable, writeResults } from '../lib/report.js';
import { type BarSection, barChartSvg } from '../lib/svg-chart.js';
import type { MeasureBudget, SystemResult } from './protocol.js';

/** The run's settings, printed above the tables. */
export interface PeerRunInfo {
  readonly sizes: readonly number[];
  readonly dims: number;
  readonly queries: number;
  readonly k: number;
  readonly budget: MeasureBudget;
  readonly gpu: string;
  readonly crossOriginIsolated: boolean;
  readonly totalSeconds: number;
  /** Whether rows of an earlier run were merged in (`--merge`). */
  readonly merged?: boolean;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench-results');

/** Colour group of a system for the chart. */
export function groupOf(system: string): string {
  if (system.startsWith('webembed')) return 'ours';
  if (system.startsWith('plain')) return 'baseline';
  if (system.startsWith('usearch')) return 'native';
  return 'peer';
}

/**
 * A measured growth below this many bytes a vector is not the index: WASM peers (voy, hnswlib)
 * keep their index in WebAssembly memory that the page's memory measurement did not capture.
 */
const MIN_CREDIBLE_BYTES = 32;

function cell(value: number | undefined, digits = 2): string {
  return value === undefined ? '–' : fmt(value, digits);
}

function tableFor(rows: readonly SystemResult[], queries: number): string {
  return markdownTable(
    [
      'system',
      'where',
      'build (s)',
      'query p50 (ms)',
      'query p95 (ms)',
      'batch of 64 (queries/s)',
      'bytes / vector',
      'reopen (ms)',
      'recall@10',
    ],
    rows.map((r) =>
      r.skipped
        ? [r.system, r.where, `*${r.skipped}*`, '', '', '', '', '', '']
        : [
            r.system,
            r.where,
            cell(r.buildMs === undefined ? undefined : r.buildMs / 1000, 2),
            cell(r.p50Ms, 2),
            cell(r.p95Ms, 2),
            r.batchQps === undefined
              ? '–'
              : `${fmt(r.batchQps, 1)}${r.batchMode === 'loop' ? ' (loop)' : ''}`,
            r.bytesPerVector === undefined
              ? '–'
              : r.memoryMethod?.startsWith('measured') && r.bytesPerVector < MIN_CREDIBLE_BYTES
                ? 'not captured'
                : `${fmt(r.bytesPerVector, 0)}${r.memoryMethod?.startsWith('measured') ? ' (measured)' : ''}`,
            r.reopenError ? 'failed (see notes)' : cell(r.reopenMs, 1),
            r.recallAt10 === undefined
              ? '–'
              : `${fmt(r.recallAt10, 4)}${r.recallQueries !== undefined && r.recallQueries < queries ? ` (${r.recallQueries} q)` : ''}`,
          ],
    ),
  );
}

function chart(results: readonly SystemResult[], info: PeerRunInfo): string {
  const sections: BarSection[] = [];
  const groups = new Map<string, SystemResult[]>();
  for (const r of results) {
    if (r.skipped || r.p50Ms === undefined || !(r.p50Ms > 0)) continue;
    const key =
      r.data === 'real'
        ? `real bge-m3, N = ${r.rows} x ${r.dims}`
        : `synthetic, N = ${r.rows.toLocaleString('en-US')} x ${r.dims}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [title, rows] of groups) {
    if (title.startsWith('real')) continue; // the chart shows the speed figures on the synthetic sizes
    sections.push({
      title,
      bars: [...rows]
        .sort((a, b) => (a.p50Ms ?? 0) - (b.p50Ms ?? 0))
        .map((r) => ({
          label: r.system,
          value: r.p50Ms as number,
          group: groupOf(r.system),
          text: `${fmt(r.p50Ms as number, 2)} ms · recall ${fmt(r.recallAt10 ?? Number.NaN, 2)}`,
        })),
    });
  }
  if (sections.length === 0) return '';
  return barChartSvg(
    'webembed vs in-browser vector search peers: single-query latency (lower is better)',
    `${info.queries} queries, k = ${info.k}; WebGPU = ${info.gpu}`,
    'ms per query, p50',
    sections,
  );
}

function resultKey(r: SystemResult): string {
  return `${r.system}|${r.data}|${r.rows}|${r.dims}`;
}

/**
 * Combines an earlier run's results with a partial re-run: rows of the same system, data, size
 * and width are replaced in place; new ones are appended.
 */
export function mergeResults(
  earlier: readonly SystemResult[],
  rerun: readonly SystemResult[],
): SystemResult[] {
  const fresh = new Map(rerun.map((r) => [resultKey(r), r]));
  const merged = earlier.map((r) => fresh.get(resultKey(r)) ?? r);
  const seen = new Set(earlier.map(resultKey));
  for (const r of rerun) if (!seen.has(resultKey(r))) merged.push(r);
  return merged;
}

/** The last run in bench-results/peers.json: its settings (if any) and results. */
export function readEarlierRun(): { info: PeerRunInfo | undefined; results: SystemResult[] } {
  const file = join(resultsDir, 'peers.json');
  if (!existsSync(file)) return { info: undefined, results: [] };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
    results?: { info?: PeerRunInfo; results?: SystemResult[] };
  };
  return { info: parsed.results?.info, results: parsed.results?.results ?? [] };
}

/** Results of the last run (bench-results/peers.json), or an empty list. */
export function readEarlierResults(): SystemResult[] {
  return readEarlierRun().results;
}

/** Writes peers.md, peers.json and peers.svg. */
export function writePeerReport(results: readonly SystemResult[], info: PeerRunInfo): void {
  const scenarios = new Map<string, SystemResult[]>();
  for (const r of results) {
    const key = `${r.data}|${r.rows}|${r.dims}`;
    scenarios.set(key, [...(scenarios.get(key) ?? []), r]);
  }
  const sections: string[] = [];
  for (const rows of scenarios.values()) {
    const { data, rows: n, dims } = rows[0];
    sections.push(
      data === 'real'
        ? `## REAL vectors: bge-m3, ${n} x ${dims} (data/bge-m3-alice; every 10th of the 1000 rows is a query)`
        : `## Synthetic clustered vectors: N = ${n.toLocaleString('en-US')} x ${dims} (seeded; NOT real embeddings)`,
      '',
      tableFor(rows, data === 'real' ? 100 : info.queries),
      '',
    );
  }
  const notes = new Map<string, string>();
  for (const r of results) {
    if (r.reopenNote) notes.set(`${r.system} reopen`, r.reopenNote);
    if (r.reopenError) notes.set(`${r.system} at N=${r.rows}`, r.reopenError);
    if (r.note) notes.set(r.system, r.note);
    if (r.memoryMethod && !r.skipped) notes.set(`${r.system} memory`, r.memoryMethod);
  }
  const markdown = [
    '# webembed vs in-browser vector search peers',
    '',
    `Browser systems ran in headless Chromium on a page served from 127.0.0.1 (cross-origin isolated: ${info.crossOriginIsolated});`,
    'usearch (a native addon, not a browser option) ran in Node on the same vectors as a native reference.',
    `**WebGPU here: ${info.gpu}.** Emulated WebGPU timings say nothing about a real GPU; they show the`,
    'GPU path works end to end. Real-GPU figures need a machine with a GPU.',
    '',
    `Every system searched the same vectors and the same ${info.queries} queries (k = ${info.k}). Recall@10 is against exact`,
    "float32 search (usearch exact, cross-checked against the bench's own exact search up to 100K). Build time",
    "includes converting the shared Float32Array into the library's input (number[] objects etc.), since a user pays",
    `it too. Query p50/p95: one query at a time, up to ${info.budget.latencyQueries} queries after 5 warm-ups. Batch: 64 queries in one call`,
    'where the system has a batch API, else a loop ("loop"). Bytes/vector: exact index arrays for webembed and',
    'usearch exact; "(measured)" = page memory growth during build (includes the library\'s JS objects);',
    '"not captured" = the growth was below 32 B/vector, i.e. the index lives in WebAssembly memory the page',
    'measurement missed (voy, hnswlib) or in IndexedDB. Reopen:',
    'persist (untimed), then open again until the first query is answered; what that means per system is listed',
    'below. Systems too slow for a size on this 2-core machine get a row saying why, with an extrapolation from',
    'their largest measured size.',
    '',
    `Synthetic data: unit vectors around ~sqrt(N) random centres (isotropic noise). Near-ties there are common, so`,
    'binary (sign-bit) candidates lose more recall than on the real embeddings; compare with the REAL table.',
    '',
    ...sections,
    '## Notes per system',
    '',
    ...[...notes].map(([key, value]) => `- ${key}: ${value}`),
    '',
    `Total run time: ${fmt(info.totalSeconds / 60, 1)} min${info.merged ? ' (the last partial re-run; rows were merged with an earlier full run, see json)' : ''}.`,
    'The machine is shared (2 cores, other jobs ran at the same time): timings are noisy, p95 most of all.',
    '',
    '![single-query latency](peers.svg)',
  ].join('\n');
  writeResults('peers', markdown, { info, results });
  const svg = chart(results, info);
  if (svg !== '') {
    writeFileSync(join(resultsDir, 'peers.svg'), `${svg}\n`);
    console.log('wrote bench-results/peers.svg');
  }
}

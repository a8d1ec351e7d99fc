/**
 * `pnpm bench browsers`: the browser-support table. Per engine (Chromium, Firefox ESR, WebKitGTK),
 * what the last end-to-end run measured on the demo's test build (test-results/browser-support/,
 * written by the e2e specs; run `pnpm test` or `pnpm test:e2e` first), how long each engine's
 * suites took (.tmp/test-timings.json, written by `pnpm test`), and a memory probe run here: the
 * largest 384-dimension binary collection that is written to IndexedDB, opened again, loaded and
 * searched in one tab.
 *
 * Usage: `pnpm bench browsers [--engines webkit] [--sizes 100000,1000000,2000000,4000000]`
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, type EngineName, enginesFromEnv } from '../e2e/drivers/engines.ts';
import { launchBrowser } from '../e2e/drivers/page-driver.ts';
import { SUPPORT_DIR } from '../e2e/run-config.ts';
import type { MemoryProbeResult } from './browsers/memory-page.ts';
import { bundleForBrowser, servePage } from './lib/browser-page.js';
import { fmt, markdownTable, writeResults } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const probeEngines = enginesFromEnv(arg('engines', 'webkit'));
const sizes = arg('sizes', '100000,1000000,2000000,4000000').split(',').map(Number);

/** Facts one engine's e2e run recorded (see e2e/tests/*.spec.ts `recordSupport`). */
interface SupportFacts {
  engine: EngineName;
  version?: string;
  autoBackend?: string;
  autoFallback?: string;
  wasmSearchBackend?: string;
  threads?: number;
  threadsNote?: string | null;
  isolatedThreads?: number;
  isolatedThreadsNote?: string | null;
  offlineReload?: boolean;
  indexedDbAcrossReload?: boolean;
  storage?: string;
  indexMs?: number;
  searchMs?: number;
  embedMs?: number;
  corpus?: number;
}

function readFacts(engine: EngineName): SupportFacts | null {
  const file = join(SUPPORT_DIR, `${engine}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SupportFacts) : null;
}

interface MemoryOutcome {
  engine: EngineName;
  version: string;
  results: MemoryProbeResult[];
  failed: { rows: number; error: string } | null;
}

function serveProbe(): Promise<Server> {
  return bundleForBrowser(join(here, 'browsers', 'memory-page.ts')).then((script) =>
    servePage(script, 'memory probe'),
  );
}

/** Each size in a fresh browser, growing until one fails (or all pass). */
async function probeEngine(engine: EngineName, origin: string): Promise<MemoryOutcome> {
  const outcome: MemoryOutcome = { engine, version: '', results: [], failed: null };
  for (const rows of sizes) {
    const browser = await launchBrowser(engine);
    outcome.version = browser.version;
    try {
      const tab = await (await browser.newSession()).newTab();
      await tab.goto(origin);
      await tab.waitFor(() => (globalThis as { probeReady?: boolean }).probeReady === true);
      console.log(`[browsers] ${engine}: ${rows.toLocaleString('en-US')} binary rows...`);
      const result = await tab.evaluate(
        (n) =>
          (globalThis as unknown as { probeMemory(n: number): Promise<MemoryProbeResult> }).probeMemory(n),
        rows,
      );
      if (result.topHit !== `doc-${Math.floor(rows / 2)}`) throw new Error(`wrong top hit ${result.topHit}`);
      console.log(
        `[browsers] ${engine}: ${rows} rows: write ${fmt(result.writeMs / 1000)} s, open + load ${fmt(result.openLoadMs)} ms, search ${fmt(result.searchMs)} ms`,
      );
      outcome.results.push(result);
    } catch (err) {
      outcome.failed = { rows, error: String((err as Error).message ?? err).slice(0, 300) };
      console.log(`[browsers] ${engine}: ${rows} rows failed: ${outcome.failed.error}`);
      break;
    } finally {
      await browser.close();
    }
  }
  return outcome;
}

function yesNo(value: boolean | undefined, no = 'not measured'): string {
  return value === true ? 'yes' : value === false ? 'no' : no;
}

function threadsCell(f: SupportFacts): string {
  const n = f.isolatedThreads ?? f.threads;
  if (n === undefined) return 'not measured';
  const note = f.isolatedThreadsNote ?? f.threadsNote;
  return n > 1 ? `${n} (isolated by the service worker)` : `1${note ? ` (${note})` : ''}`;
}

function persistenceCell(f: SupportFacts, engine: EngineName): string {
  const reload = f.indexedDbAcrossReload ? 'kept across reload' : 'not measured';
  const restart =
    engine === 'webkit'
      ? '; automation sessions are ephemeral (no restart test)'
      : '; survives a browser kill';
  const storage =
    f.storage === 'unavailable'
      ? '; no Storage API (best effort)'
      : f.storage === 'asking'
        ? '; persist() prompts the user'
        : f.storage
          ? `; persist(): ${f.storage}`
          : '';
  return reload + restart + storage;
}

function memoryCell(m: MemoryOutcome | undefined): string {
  if (!m) return 'not probed';
  const largest = m.results.at(-1);
  const ok = largest ? `${largest.rows.toLocaleString('en-US')} opens and searches` : 'none';
  const fail = m.failed ? `; ${m.failed.rows.toLocaleString('en-US')} failed` : `; largest tried`;
  return ok + fail;
}

async function main() {
  const facts = ENGINES.map((e) => ({ engine: e, facts: readFacts(e) }));
  const missing = facts.filter((f) => f.facts === null).map((f) => f.engine);
  if (missing.length > 0)
    console.warn(`[browsers] no e2e facts for ${missing.join(', ')}: run \`pnpm test\` (or test:e2e) first`);

  const server = await serveProbe();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const memory: MemoryOutcome[] = [];
  try {
    for (const engine of probeEngines) memory.push(await probeEngine(engine, origin));
  } finally {
    server.close();
  }

  const timingsFile = join(repoRoot, '.tmp', 'test-timings.json');
  const timings: { name: string; seconds: number }[] = existsSync(timingsFile)
    ? JSON.parse(readFileSync(timingsFile, 'utf8'))
    : [];
  const load = execFileSync('uptime', { encoding: 'utf8' }).trim();

  const rows = facts.map(({ engine, facts: f }) => {
    const m = memory.find((x) => x.engine === engine);
    if (!f) return [engine, 'no e2e facts', '', '', '', '', '', '', memoryCell(m)];
    return [
      f.version ?? engine,
      f.autoBackend === 'webgpu'
        ? 'WebGPU (SwiftShader, CPU-emulated here); WASM'
        : `WASM (${f.autoFallback ?? 'no WebGPU'})`,
      f.autoBackend === 'webgpu'
        ? `CPU (WASM SIMD): auto skips a software adapter; WebGPU when named (?device=webgpu)`
        : 'CPU (WASM SIMD)',
      threadsCell(f),
      yesNo(f.offlineReload),
      persistenceCell(f, engine),
      f.indexMs !== undefined ? `${fmt(f.indexMs, 0)} ms (${f.corpus} passages, WASM)` : 'not measured',
      f.searchMs !== undefined
        ? `${fmt(f.searchMs, 1)} ms search + ${fmt(f.embedMs ?? Number.NaN, 1)} ms embed`
        : '',
      memoryCell(m),
    ];
  });
  const table = markdownTable(
    [
      'engine',
      'embedding backend (auto)',
      'search backend',
      'WASM threads',
      'offline reload',
      'IndexedDB persistence',
      'index the test corpus',
      'one query',
      'largest 384-d binary collection in a tab',
    ],
    rows,
  );
  const memoryRows = memory.flatMap((m) => [
    ...m.results.map((r) => [
      m.version,
      r.rows.toLocaleString('en-US'),
      fmt(r.writeMs / 1000),
      fmt(r.openLoadMs, 0),
      fmt(r.searchMs, 1),
      'ok',
    ]),
    ...(m.failed ? [[m.version, m.failed.rows.toLocaleString('en-US'), '-', '-', '-', m.failed.error]] : []),
  ]);
  const markdown = [
    '## Browser support, measured',
    '',
    `From the last \`pnpm test\` e2e run (the demo's test build: fixture model, ${facts.find((f) => f.facts?.corpus)?.facts?.corpus ?? 24} passages) and this memory probe. Load: \`${load}\`.`,
    '',
    table,
    '',
    '## Memory probe: binary 384-d collections written, reopened, loaded and searched in one tab',
    '',
    markdownTable(
      ['engine', 'rows', 'write (s)', 'open + load (ms)', 'Hamming top-10 (ms)', 'outcome'],
      memoryRows,
    ),
    '',
    '## Suite durations (last `pnpm test`)',
    '',
    timings.length
      ? markdownTable(
          ['step', 'seconds'],
          timings.map((t) => [t.name, fmt(t.seconds, 0)]),
        )
      : '(no .tmp/test-timings.json: run `pnpm test`)',
  ].join('\n');
  writeResults('browsers', markdown, { facts, memory, timings, load });
  console.log(`\n${markdown}`);
}

await main();

#!/usr/bin/env node
// Runs every check and test suite in order (lint, typecheck, Vitest in Node and in headless
// Chromium, Firefox and WebKit, the e2e specs in the same three engines, the consumer check) and
// ends with one line summing them all:
// `N passed, N failed, N skipped`. Exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);

// Child steps (the typecheck, Playwright's web server) call `pnpm`. On a machine where pnpm came
// only through `npx pnpm@X test` it may not be on PATH, so put a shim for this very pnpm first.
const pnpmCli = process.env.npm_execpath;
if (pnpmCli && /pnpm/.test(pnpmCli)) {
  const shimDir = join(tmp, 'bin');
  mkdirSync(shimDir, { recursive: true });
  const shim = join(shimDir, 'pnpm');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${pnpmCli}" "$@"\n`);
  chmodSync(shim, 0o755);
  process.env.PATH = `${shimDir}${delimiter}${process.env.PATH ?? ''}`;
}
const totals = { passed: 0, failed: 0, skipped: 0 };
// Seconds per step, kept in .tmp/test-timings.json for `pnpm bench browsers` (suite durations).
const timings = [];
const report = [];

function step(name, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  timings.push({ name, seconds: Number(seconds) });
  return { ok: res.status === 0, seconds };
}

function check(name, cmd, args) {
  const { ok, seconds } = step(name, cmd, args);
  totals[ok ? 'passed' : 'failed'] += 1;
  report.push(`${name}: ${ok ? 'ok' : 'FAILED'} (${seconds}s)`);
}

function suite(name, cmd, args, resultFile, parse, env) {
  rmSync(resultFile, { force: true });
  const { ok, seconds } = step(name, cmd, args, env);
  if (!existsSync(resultFile)) {
    totals.failed += 1;
    report.push(`${name}: FAILED, no results written (${seconds}s)`);
    return;
  }
  const counts = parse(JSON.parse(readFileSync(resultFile, 'utf8')));
  // A runner that exits non-zero without a failed test (a crash, a failed file import) still fails.
  if (!ok && counts.failed === 0) counts.failed = 1;
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  report.push(
    `${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${seconds}s)`,
  );
}

check('lint (biome)', bin('biome'), ['check', '.']);
check('typecheck (tsc, every package)', 'pnpm', ['-r', '--workspace-concurrency=1', 'run', 'typecheck']);

// Vitest: Node and Chromium first, then the same browser suites in Firefox and in WebKit, each
// its own step (own counts and time). Skipped tests and why are listed after the summary.
const skipped = [];
const vitestCounts = (r) => ({
  passed: r.numPassedTests,
  // A test file that fails to load counts as a failure even though it ran no test.
  failed:
    r.numFailedTests +
    (r.testResults ?? []).filter((f) => f.status === 'failed' && f.assertionResults?.length === 0).length,
  skipped: r.numPendingTests + r.numTodoTests,
});
const vitestSteps = [
  ['unit and browser tests (vitest: node, chromium)', 'vitest.json', ['node', 'browser']],
  ['browser tests in firefox (vitest)', 'vitest-firefox.json', ['browser-firefox']],
  ['browser tests in webkit (vitest)', 'vitest-webkit.json', ['browser-webkit']],
];
for (const [name, file, projects] of vitestSteps) {
  const json = join(tmp, file);
  const skipsFile = join(tmp, `skips-${file}`);
  rmSync(skipsFile, { force: true });
  suite(
    name,
    bin('vitest'),
    [
      'run',
      ...projects.flatMap((p) => ['--project', p]),
      '--reporter=default',
      '--reporter=json',
      '--reporter=./scripts/test/skip-reporter.mjs',
      `--outputFile.json=${json}`,
    ],
    json,
    vitestCounts,
    { WEBEMBED_SKIPS_FILE: skipsFile },
  );
  if (existsSync(skipsFile)) skipped.push(...JSON.parse(readFileSync(skipsFile, 'utf8')));
}

const playwrightJson = join(tmp, 'playwright.json');
suite(
  'end-to-end tests (playwright)',
  bin('playwright'),
  ['test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'],
  playwrightJson,
  (r) => ({ passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped }),
  { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson },
);
if (existsSync(playwrightJson)) {
  // One line per engine (project): counts and the time its tests took; skips with their reasons.
  const byEngine = new Map();
  const walk = (suiteNode) => {
    for (const spec of suiteNode.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const e = byEngine.get(t.projectName) ?? { passed: 0, failed: 0, skipped: 0, flaky: [], ms: 0 };
        e.ms += (t.results ?? []).reduce((sum, res) => sum + (res.duration ?? 0), 0);
        if (t.status === 'skipped') {
          e.skipped += 1;
          const why = (t.annotations ?? []).find((a) => a.type === 'skip')?.description ?? null;
          skipped.push({ project: `e2e ${t.projectName}`, file: spec.file, test: spec.title, reason: why });
        } else if (t.status === 'unexpected') e.failed += 1;
        else {
          e.passed += 1;
          // Passed on its retry: counted as passed, but named, with the first attempt's error.
          if (t.status === 'flaky') {
            const first = (t.results ?? [])[0]?.error?.message ?? '';
            e.flaky.push(`${spec.file}: ${spec.title}: ${first.split('\n').slice(0, 3).join(' | ')}`);
          }
        }
        byEngine.set(t.projectName, e);
      }
    }
    for (const child of suiteNode.suites ?? []) walk(child);
  };
  for (const top of JSON.parse(readFileSync(playwrightJson, 'utf8')).suites ?? []) walk(top);
  for (const [engine, e] of byEngine) {
    report.push(
      `  e2e ${engine}: ${e.passed} passed, ${e.failed} failed, ${e.skipped} skipped (${(e.ms / 1000).toFixed(1)}s in tests)`,
    );
    for (const line of e.flaky) report.push(`    flaky (passed on retry): ${line}`);
  }
}

// The packed packages in a fresh app outside the workspace (Vite dev and build, webpack, Node).
const consumerJson = join(tmp, 'consumer.json');
suite(
  'consumer check (packed packages installed with npm in a new app)',
  'node',
  ['e2e/consumer/run.mjs', '--json', consumerJson],
  consumerJson,
  (r) => ({ passed: r.passed, failed: r.failed, skipped: r.skipped }),
);

console.log('\n=== summary');
for (const line of report) console.log(`  ${line}`);
if (skipped.length > 0) {
  // Every skip with its reason (a browser lacking WebGPU, a model not on this machine...).
  const groups = new Map();
  for (const s of skipped) {
    const key = `${s.project}: ${s.reason ?? 'no reason given'}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  console.log('  skipped, with reasons:');
  for (const [key, list] of groups) {
    const files = [...new Set(list.map((s) => s.file))].join(', ');
    console.log(`    ${list.length} in ${key} [${files}]`);
  }
}
writeFileSync(join(tmp, 'test-timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);

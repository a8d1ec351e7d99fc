#!/usr/bin/env node
// The consumer check: webembed installed like a library, the way a new user would.
//
// 1. Builds every package (`pnpm -r build`) and packs each with `pnpm pack`; checks every
//    tarball statically (pack-check.mjs: every file package.json, an import or a
//    `new URL(..., import.meta.url)` points at is in it; no @webembed/source, no TypeScript sources).
// 2. Creates a fresh Vite + TypeScript app in the system temp folder (outside the workspace)
//    from e2e/consumer/app/, whose src/main.ts is the root README's quick start (model id swapped
//    for the fixture model, which the app serves as its own file under public/models/), and
//    installs the tarballs with plain `npm install` and ONNXRUNTIME_NODE_INSTALL=skip, as the
//    README says (global-agent's proxy points nowhere, so a download attempt would fail).
// 3. Type-checks the app against the packed .d.ts files; `vite build` with no vite.config;
//    checks the output (one ort .wasm, total size); serves it with `vite preview` and the README's
//    COOP/COEP config in Chromium without WebGPU (WASM backend, threads), visiting twice (the
//    quick start must survive a reload); runs the dev server with no config in Chromium with
//    WebGPU, plus a page whose model is missing (coded error naming the URL); builds the same app
//    with webpack 5 and serves that; every file of each production output must be fetched.
// 4. Runs a Node script in the app importing core, text, store and the engine's Node path.
//
// Usage: node e2e/consumer/run.mjs [--tarballs <dir>] [--json <file>] [--keep]
//   --tarballs: use these .tgz files instead of building and packing (e.g. from another branch).
//   CONSUMER_PORT: first of the three ports it serves on (default E2E_PORT + 4, else 4330).
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import { checkPackedPackage, listFiles, unpackTarball } from './pack-check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: options } = parseArgs({
  options: {
    tarballs: { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
// Three ports from CONSUMER_PORT; else just above the Playwright suite's E2E_PORT, so runs that
// were given distinct E2E_PORTs do not collide here either.
const basePort = Number(
  process.env.CONSUMER_PORT ?? (process.env.E2E_PORT ? Number(process.env.E2E_PORT) + 4 : 4330),
);
const FIXTURE_MODEL = 'webembed-fixtures/crosslingual-bert';
const README_MODEL = 'Xenova/multilingual-e5-small';
/** Production output, without the app's own model files. 27.6 MB measured; a second ort .wasm would add 26.9 MB. */
const MAX_OUTPUT_BYTES = 29_000_000;
const PAGE_TIMEOUT_MS = 180_000;

const results = [];
const work = mkdtempSync(join(tmpdir(), 'webembed-consumer-'));
const app = join(work, 'app');

/** Runs one check; a failed `needs` skips it. Returns whether it passed. */
async function check(name, run, needs = []) {
  const missing = needs.filter((n) => !results.find((r) => r.name === n && r.status === 'passed'));
  if (missing.length > 0) {
    results.push({ name, status: 'skipped', detail: `needs: ${missing.join(', ')}` });
    console.log(`- ${name}: skipped (needs ${missing.join(', ')})`);
    return false;
  }
  const started = Date.now();
  try {
    const detail = await run();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    results.push({ name, status: 'passed', seconds, detail });
    console.log(`✓ ${name} (${seconds}s)${detail ? `: ${detail}` : ''}`);
    return true;
  } catch (err) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const detail = err instanceof Error ? err.message : String(err);
    results.push({ name, status: 'failed', seconds, detail });
    console.log(`✗ ${name} (${seconds}s): ${detail}`);
    return false;
  }
}

function assert(ok, message) {
  if (!ok) throw new Error(message);
}

/** The environment of a child that must behave like a user's shell, not like a pnpm script. */
function userEnv(extra = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$)/i.test(k)),
  );
  return { ...env, npm_config_update_notifier: 'false', ...extra };
}

function run(cmd, args, cwd, env = userEnv()) {
  const res = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited ${res.status ?? res.signal}:\n${out}`);
  }
  return `${res.stdout ?? ''}${res.stderr ?? ''}`;
}

/** The ```ts block after `<!-- consumer-check: <marker> -->` in the root README. */
function readmeSnippet(marker) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- consumer-check: ${marker} -->`);
  assert(at >= 0, `README.md has no <!-- consumer-check: ${marker} --> marker`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  assert(block, `README.md has no \`\`\`ts block after the ${marker} marker`);
  return block[1];
}

function totalBytes(dir, files) {
  return files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Starts a server and waits until it answers; returns a stop function. */
async function serve(args, port) {
  const child = spawn(
    process.execPath,
    [
      join(app, 'node_modules/vite/bin/vite.js'),
      ...args,
      '--port',
      String(port),
      '--strictPort',
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: app,
      env: userEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (d) => {
    log += d;
  });
  child.stderr.on('data', (d) => {
    log += d;
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite ${args[0] ?? 'dev'} exited ${child.exitCode}: ${log}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) return stop;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`vite ${args.join(' ')} did not answer on port ${port} within 60 s: ${log}`);
}

/**
 * Opens `url` in Chromium (with or without WebGPU), waits for #out to leave "loading" `visits`
 * times (reloading in between) and returns each visit's JSON, every URL path requested (page and
 * workers) and the page's console errors.
 */
async function visit(url, { webgpu, visits = 1 }) {
  const args = webgpu ? chromiumArgs : chromiumArgs.filter((a) => a !== '--enable-unsafe-webgpu');
  const browser = await chromium.launch({ executablePath: chromiumPath, args });
  try {
    const page = await browser.newPage();
    const requested = new Set();
    const errors = [];
    page.on('request', (req) => requested.add(new URL(req.url()).pathname));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    const outputs = [];
    for (let i = 0; i < visits; i++) {
      if (i === 0) await page.goto(url);
      else await page.reload();
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading', null, {
        timeout: PAGE_TIMEOUT_MS,
      });
      const text = (await page.textContent('#out')) ?? '';
      outputs.push(JSON.parse(text));
    }
    const isolated = await page.evaluate(() => globalThis.crossOriginIsolated === true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    return { outputs, requested, errors, isolated, cores };
  } finally {
    await browser.close();
  }
}

/** Checks one quick-start result: the French note found for the English query. */
function assertQuickStart(out, label) {
  assert(!out.error, `${label}: the quick start threw ${out.error?.code ?? ''} ${out.error?.message ?? ''}`);
  assert(out.hits?.[0]?.id === 'fr-1', `${label}: top hit ${JSON.stringify(out.hits?.[0])}, expected fr-1`);
  assert(
    out.hits[0].score > 0.999,
    `${label}: top score ${out.hits[0].score}, expected ~1 (word-for-word translation)`,
  );
  assert(out.count === 2, `${label}: the collection holds ${out.count} notes, expected 2`);
}

/**
 * Every page, script, style and WebAssembly file of a production output must have been fetched
 * (the app's own models aside; licence texts and source maps are not loaded by design).
 */
function assertAllFetched(files, requested, label) {
  const never = files.filter(
    (f) =>
      /\.(html|m?js|css|wasm)$/.test(f) &&
      !f.startsWith('models/') &&
      !requested.has(`/${f}`) &&
      !(f === 'index.html' && requested.has('/')),
  );
  assert(never.length === 0, `${label}: never fetched: ${never.join(', ')}`);
}

function assertOneWasm(files, label) {
  const wasm = files.filter((f) => f.endsWith('.wasm') && !f.startsWith('models/'));
  assert(
    wasm.length === 1,
    `${label}: ${wasm.length} .wasm files (${wasm.join(', ')}), expected exactly one`,
  );
}

// ---------------------------------------------------------------------------------------------

const tarballs = join(work, 'tarballs');
mkdirSync(tarballs, { recursive: true });

await check('build and pack every package', () => {
  if (options.tarballs) {
    for (const f of readdirSync(options.tarballs).filter((f) => f.endsWith('.tgz'))) {
      cpSync(join(options.tarballs, f), join(tarballs, f));
    }
    return `tarballs from ${options.tarballs}`;
  }
  run('pnpm', ['-r', '--filter', './packages/**', 'run', 'build'], root, process.env);
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (!manifest.private)
      run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', dir), process.env);
  }
  return readdirSync(tarballs).join(', ');
});

const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
for (const tarball of packed) {
  await check(`tarball ${tarball} holds everything it refers to`, () => {
    const dir = unpackTarball(join(tarballs, tarball), join(work, 'unpacked'));
    const problems = checkPackedPackage(dir);
    assert(problems.length === 0, problems.slice(0, 10).join('\n'));
  }, ['build and pack every package']);
}
const BROWSER_PACKAGES = ['core', 'text', 'gpu', 'store', 'remote', 'engine'];
const tarballOf = (name) => packed.find((f) => f.startsWith(`webembed-${name}-`));

await check('npm install of the tarballs in a fresh app, onnxruntime-node download skipped', () => {
  cpSync(join(here, 'app'), app, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  manifest.dependencies = {};
  for (const name of BROWSER_PACKAGES) {
    const file = tarballOf(name);
    assert(file, `no tarball for @webembed/${name}`);
    cpSync(join(tarballs, file), join(app, 'tarballs', file));
    manifest.dependencies[`@webembed/${name}`] = `file:./tarballs/${file}`;
  }
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // The README's quick start is the app, with the fixture model in place of the Hub's.
  const quickStart = readmeSnippet('quick-start');
  assert(quickStart.includes(README_MODEL), `the quick start no longer uses ${README_MODEL}`);
  writeFileSync(
    join(app, 'src/main.ts'),
    [
      '// Generated by e2e/consumer/run.mjs: the README quick start, then what it found, for the check.',
      "const out = document.getElementById('out') as HTMLElement;",
      "addEventListener('error', (e) => { out.textContent = JSON.stringify({ error: { code: e.error?.code, message: e.message } }); });",
      quickStart.replaceAll(README_MODEL, FIXTURE_MODEL),
      'out.textContent = JSON.stringify({ hits, info: notes.info, count: await notes.count() });',
      '',
    ].join('\n'),
  );
  writeFileSync(join(app, 'isolated.vite.config.ts'), readmeSnippet('threads-config'));
  cpSync(join(root, '.fixtures/models', FIXTURE_MODEL), join(app, 'public/models', FIXTURE_MODEL), {
    recursive: true,
  });
  // The README's install line: ONNXRUNTIME_NODE_INSTALL=skip. global-agent (which onnxruntime-node's
  // installer uses for its download) gets a proxy that refuses connections, so an attempted
  // download fails the install even where the network is open.
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error'],
    app,
    userEnv({
      ONNXRUNTIME_NODE_INSTALL: 'skip',
      GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9',
      GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9',
    }),
  );
  const ortNode = join(app, 'node_modules/onnxruntime-node/bin');
  const downloaded = existsSync(ortNode)
    ? listFiles(ortNode).filter((f) => /providers_(cuda|tensorrt)/.test(f))
    : [];
  assert(downloaded.length === 0, `onnxruntime-node's install script downloaded ${downloaded.join(', ')}`);
  return `app in ${app}`;
}, ['build and pack every package']);

const INSTALLED = 'npm install of the tarballs in a fresh app, onnxruntime-node download skipped';

await check('the app type-checks against the packed .d.ts files', () => {
  run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
}, [INSTALLED]);

let viteFiles = [];
await check('vite build with no vite.config: one ort .wasm, output size', () => {
  run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build'], app);
  viteFiles = listFiles(join(app, 'dist'));
  assertOneWasm(viteFiles, 'vite build');
  const own = viteFiles.filter((f) => !f.startsWith('models/'));
  const bytes = totalBytes(join(app, 'dist'), own);
  assert(bytes <= MAX_OUTPUT_BYTES, `vite build output is ${mb(bytes)}, over ${mb(MAX_OUTPUT_BYTES)}`);
  return `${mb(bytes)} in ${own.length} files: ${own.map((f) => `${basename(f)} ${mb(statSync(join(app, 'dist', f)).size)}`).join(', ')}`;
}, [INSTALLED]);

await check('vite preview (README threads config, no WebGPU): quick start finds the note, twice, WASM threads', async () => {
  const stop = await serve(['preview', '--config', 'isolated.vite.config.ts'], basePort);
  try {
    const { outputs, requested, errors, isolated, cores } = await visit(`http://127.0.0.1:${basePort}/`, {
      webgpu: false,
      visits: 2,
    });
    for (const [i, out] of outputs.entries()) assertQuickStart(out, `visit ${i + 1}`);
    const { info } = outputs[0];
    assert(isolated, 'the page is not cross-origin isolated with the README config');
    assert(info.backend === 'wasm', `backend ${info.backend}, expected wasm without WebGPU`);
    const threads = Math.min(4, cores);
    assert(info.threads === threads, `WASM threads ${info.threads}, expected min(4, ${cores}) = ${threads}`);
    assertAllFetched(viteFiles, requested, 'vite build');
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `backend ${info.backend}, ${info.threads} threads, load ${Math.round(info.loadMs)} ms`;
  } finally {
    stop();
  }
}, ['vite build with no vite.config: one ort .wasm, output size']);

await check('vite dev server with no config (WebGPU): quick start, nothing from sources, missing model named', async () => {
  const port = basePort + 1;
  const stop = await serve([], port);
  try {
    const { outputs, requested, errors } = await visit(`http://127.0.0.1:${port}/`, { webgpu: true });
    assertQuickStart(outputs[0], 'dev server');
    const sources = [...requested].filter(
      (p) =>
        /\/node_modules\/@webembed\/[^/]+\/src\//.test(p) || (/\.ts$/.test(p) && p.includes('node_modules')),
    );
    assert(sources.length === 0, `served package sources: ${sources.join(', ')}`);
    assert(
      requested.has('/node_modules/@webembed/engine/dist/worker.js'),
      `the worker did not come from dist/worker.js: ${[...requested].filter((p) => p.includes('worker')).join(', ')}`,
    );
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    const broken = (await visit(`http://127.0.0.1:${port}/broken-model.html`, { webgpu: true })).outputs[0];
    assert(broken.error?.code === 'MODEL_LOAD_FAILED', `missing model: ${JSON.stringify(broken)}`);
    assert(
      broken.error.message.includes(`/no-models-here/${FIXTURE_MODEL}/`),
      `missing model: the message names no file URL: ${broken.error.message}`,
    );
    return `backend ${outputs[0].info.backend}; missing model -> MODEL_LOAD_FAILED in ${broken.ms} ms`;
  } finally {
    stop();
  }
}, [INSTALLED]);

let webpackFiles = [];
await check('webpack 5 build (no webembed-specific config): one ort .wasm, output size', () => {
  run(process.execPath, ['build-webpack.mjs'], app);
  webpackFiles = listFiles(join(app, 'dist-webpack'));
  assertOneWasm(webpackFiles, 'webpack');
  const own = webpackFiles.filter((f) => !f.startsWith('models/'));
  const bytes = totalBytes(join(app, 'dist-webpack'), own);
  assert(bytes <= MAX_OUTPUT_BYTES, `webpack output is ${mb(bytes)}, over ${mb(MAX_OUTPUT_BYTES)}`);
  return `${mb(bytes)} in ${own.length} files`;
}, [INSTALLED]);

await check('webpack output served (threads config, no WebGPU): quick start finds the note', async () => {
  const port = basePort + 2;
  const stop = await serve(
    ['preview', '--config', 'isolated.vite.config.ts', '--outDir', 'dist-webpack'],
    port,
  );
  try {
    const { outputs, requested, errors, cores } = await visit(`http://127.0.0.1:${port}/`, { webgpu: false });
    assertQuickStart(outputs[0], 'webpack');
    assert(
      outputs[0].info.threads === Math.min(4, cores),
      `webpack: WASM threads ${outputs[0].info.threads}`,
    );
    assertAllFetched(webpackFiles, requested, 'webpack');
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `backend ${outputs[0].info.backend}, ${outputs[0].info.threads} threads`;
  } finally {
    stop();
  }
}, ['webpack 5 build (no webembed-specific config): one ort .wasm, output size']);

await check('Node: core, text, store and the engine (onnxruntime-node) from the tarballs', () => {
  const line = run(process.execPath, ['node-check.mjs'], app).trim().split('\n').pop();
  return line;
}, [INSTALLED]);

// ---------------------------------------------------------------------------------------------

const counts = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) counts[r.status] += 1;
console.log(`consumer check: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (options.json) {
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, JSON.stringify({ ...counts, tests: results }, null, 2));
}
// The app holds ~600 MB of node_modules: kept only when asked (--keep), even after a failure.
if (options.keep) console.log(`app kept in ${app}`);
else rmSync(work, { recursive: true, force: true });
process.exit(counts.failed > 0 ? 1 : 0);

#!/usr/bin/env node
// Sets the project up on a fresh machine: installs dependencies with the pinned pnpm,
// builds the fixture models, and (with --browser) makes sure Debian's Chromium, Firefox ESR and
// WebKitGTK (WebKitWebDriver, with xvfb for its display) are present.
// Idempotent: a second run only checks.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wantBrowser = process.argv.includes('--browser');

function run(cmd, args, opts = {}) {
  console.log(`[setup] ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.status !== 0) {
    console.error(`[setup] failed: ${cmd} ${args.join(' ')} (exit ${res.status})`);
    process.exit(res.status ?? 1);
  }
}

// The pnpm that runs this script (`npx pnpm@X test` or a global pnpm) is the one to install with.
const pnpmCli = process.env.npm_execpath;
const pnpm = (args) =>
  pnpmCli && /pnpm/.test(pnpmCli)
    ? run(process.execPath, [pnpmCli, ...args])
    : run('npx', ['-y', 'pnpm@10.34.9', ...args]);

pnpm(['install', '--frozen-lockfile', '--reporter=append-only']);
pnpm(['-r', '--if-present', 'run', 'fixtures']);

if (wantBrowser && !existsSync(chromiumPath)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = isRoot ? ['apt-get'] : ['sudo', 'apt-get'];
  console.log(`[setup] ${chromiumPath} missing: installing Debian's chromium through apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(apt[0], [...apt.slice(1), 'update', '-qq'], { env });
  run(apt[0], [...apt.slice(1), 'install', '-y', '-qq', 'chromium'], { env });
}
// Firefox and WebKit for the same browser suites (e2e/drivers/engines.ts has the same paths).
const otherEngines = [
  ['firefox-esr', process.env.FIREFOX_PATH || '/usr/bin/firefox-esr'],
  ['webkit2gtk-driver', process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver'],
  ['xvfb', process.env.XVFB_RUN_PATH || '/usr/bin/xvfb-run'],
];
const missingPackages = wantBrowser
  ? otherEngines.filter(([, path]) => !existsSync(path)).map(([p]) => p)
  : [];
if (missingPackages.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = isRoot ? ['apt-get'] : ['sudo', 'apt-get'];
  console.log(`[setup] installing ${missingPackages.join(', ')} through apt (Firefox and WebKit suites)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(apt[0], [...apt.slice(1), 'update', '-qq'], { env });
  run(apt[0], [...apt.slice(1), 'install', '-y', '-qq', ...missingPackages], { env });
}
if (wantBrowser) {
  try {
    console.log(`[setup] ${execFileSync(chromiumPath, ['--version'], { encoding: 'utf8' }).trim()}`);
    console.log(`[setup] ${execFileSync(otherEngines[0][1], ['--version'], { encoding: 'utf8' }).trim()}`);
  } catch (err) {
    console.error(`[setup] cannot run ${chromiumPath}: ${err.message}`);
    process.exit(1);
  }
}

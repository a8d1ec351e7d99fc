#!/usr/bin/env node
// `pnpm bench <name> [args...]`: runs one benchmark. A benchmark is either
// packages/<name>/bench/index.ts or bench/<name>.ts, run with tsx (Node); benchmarks that
// need a browser launch Chromium themselves. Results go to bench-results/<name>.{md,json}.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Names the issues and README use for benchmarks that live in a package of another name.
const aliases = { embed: 'engine' };
const [requested, ...args] = process.argv.slice(2);
const name = aliases[requested] ?? requested;
const candidates = name
  ? [join(root, 'packages', name, 'bench', 'index.ts'), join(root, 'bench', `${name}.ts`)]
  : [];
const entry = candidates.find((file) => existsSync(file));
if (!entry) {
  const known = [
    ...readdirSync(join(root, 'packages')).filter((p) =>
      existsSync(join(root, 'packages', p, 'bench', 'index.ts')),
    ),
    ...readdirSync(join(root, 'bench'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, '')),
  ];
  console.error(`usage: pnpm bench <name> [args]\nknown benchmarks: ${known.join(', ') || '(none yet)'}`);
  process.exit(2);
}
const res = spawnSync(
  process.execPath,
  ['--conditions=@webembed/source', '--import', 'tsx', '--expose-gc', entry, ...args],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);

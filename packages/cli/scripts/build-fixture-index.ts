/**
 * `pnpm --filter @webembed/cli run fixtures` (run by scripts/setup.mjs after the engine's fixture
 * models): indexes test/fixtures/docs with the CLI on the cross-lingual fixture model and writes
 * `<repo>/.fixtures/cli/fixture-docs.webembed`, which the browser test imports into IndexedDB.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(packageDir, '..', '..');
const outDir = join(repo, '.fixtures', 'cli');
mkdirSync(outDir, { recursive: true });
const code = await runCli(
  [
    'index',
    join(packageDir, 'test', 'fixtures', 'docs'),
    '--model',
    'webembed-fixtures/crosslingual-bert',
    '--dtype',
    'fp32',
    '--models-dir',
    join(repo, '.fixtures', 'models'),
    '--out',
    join(outDir, 'fixture-docs.webembed'),
    '--kinds',
    'float32,int8,binary',
  ],
  { stdout: process.stdout, stderr: process.stderr, env: {} },
);
process.exit(code);

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where `pnpm -r run fixtures` builds the fixture models. */
export const modelsDir = join(repo, '.fixtures', 'models');
/** The small fixture model the CLI tests embed with. */
export const MODEL = 'webembed-fixtures/mini-bert';

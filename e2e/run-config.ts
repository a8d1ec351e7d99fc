/** Settings shared by the Playwright config, its global setup and the specs. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The port the demo is served on ($E2E_PORT, default 4317). */
export const e2ePort = Number(process.env.E2E_PORT ?? 4317);

/** Where each engine's measured support facts go (read by `pnpm bench browsers`). */
export const SUPPORT_DIR = join(repoRoot, 'test-results', 'browser-support');

// One place for how this project launches Debian's Chromium (Vitest browser mode,
// Playwright e2e, benchmarks). The flags keep Chromium off the network and give
// headless runs a WebGPU adapter (SwiftShader, CPU-emulated) when no GPU is present.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the browser binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags every launch gets. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--disable-dev-shm-usage',
];

/** A fresh, empty user-data directory for one launch. */
export function freshUserDataDir() {
  return mkdtempSync(join(tmpdir(), 'webembed-chromium-'));
}

export function chromiumAvailable() {
  return existsSync(chromiumPath);
}

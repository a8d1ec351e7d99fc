import { defineConfig } from '@playwright/test';
import { type EngineName, enginesFromEnv } from './drivers/engines.ts';

// One project per browser engine: Chromium (Playwright), Firefox (puppeteer-core over WebDriver
// BiDi) and WebKit (WebKitWebDriver), all through the page driver in drivers/page-driver.ts, so
// each spec is written once. $WEBEMBED_ENGINES (e.g. `firefox,webkit`) picks some of them.
//
// The global setup builds the demo in test mode (fixture model and test corpus served from this
// origin, no network at all); each worker serves the build with `vite preview` (demo-server.ts),
// which sends no COOP/COEP headers: cross-origin isolation has to come from the demo's service
// worker, as on GitHub Pages. Specs that need another page (store-interrupt) serve their own.
export default defineConfig<object, { engine: EngineName }>({
  testDir: './tests',
  outputDir: '../test-results/e2e',
  globalSetup: './global-setup.ts',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  // One retry: a spec that passes only on it is reported as flaky, by name with its first error,
  // in the summary of `pnpm test` (scripts/test-all.mjs), never silently.
  retries: 1,
  projects: enginesFromEnv().map((engine) => ({ name: engine, use: { engine } })),
});

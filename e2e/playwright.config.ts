import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const port = Number(process.env.E2E_PORT ?? 4317);

// The web server builds the demo in test mode (fixture model and test corpus served from this
// origin, no network at all) and serves the static build with `vite preview`, which sends no
// COOP/COEP headers: cross-origin isolation has to come from the demo's service worker, as on
// GitHub Pages. Specs that need another server (store-interrupt) start their own.
export default defineConfig({
  testDir: './tests',
  outputDir: '../test-results/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    screenshot: 'only-on-failure',
    serviceWorkers: 'allow',
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command:
      'pnpm --filter @webembed/engine run fixtures && pnpm --filter @webembed/demo run build:test && ' +
      `pnpm --filter @webembed/demo exec vite preview --mode test --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 240_000,
    // One build folder per port, so two runs on different E2E_PORTs never share (and wipe) a build.
    env: { WEBEMBED_TEST_OUT: `test-build/port-${port}/dist` },
  },
});

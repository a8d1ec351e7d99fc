/// <reference types="vitest/config" />
import { playwright } from '@vitest/browser-playwright';
import type { ServerResponse } from 'node:http';
import { type Plugin, defineConfig } from 'vite';
import { engines } from './e2e/drivers/vitest-provider.ts';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

// Workspace packages resolve to their TypeScript sources (the `@webembed/source` export
// condition), so tests and the dev server never need a prior build.
const sourceConditions = ['@webembed/source'];

// The browser suites, run in each engine: every *.browser.test.ts, and text's tests, which are
// plain TypeScript and check Intl.Segmenter tokenization where it differs (in each browser's ICU).
const browserSuites = ['packages/*/test/**/*.browser.test.ts', 'packages/text/test/**/*.test.ts'];
const browserTest = {
  include: browserSuites,
  testTimeout: 120_000,
  hookTimeout: 120_000,
  fileParallelism: false,
};

/**
 * Test-only routes for the browser suites: `/__webembed-test/stall/<token>/<path>` serves
 * `/.fixtures/models/<path>`, except that it never answers (a download that stalls) while `token`
 * starts with `always-`, or the first time a token starting with `once-` is asked for.
 */
function stallingRoutes(): Plugin {
  const seen = new Set<string>();
  const held = new Set<ServerResponse>();
  return {
    name: 'webembed-test-stalling-routes',
    configureServer(server) {
      server.httpServer?.on('close', () => {
        for (const res of held) res.destroy();
      });
      server.middlewares.use((req, res, next) => {
        const match = /^\/__webembed-test\/stall\/((?:once|always)-[\w-]+)\/(.*)$/.exec(req.url ?? '');
        if (!match) return next();
        const [, token, rest] = match;
        if (token.startsWith('always-') || !seen.has(token)) {
          seen.add(token);
          held.add(res);
          res.on('close', () => held.delete(res));
          return; // never answered
        }
        req.url = `/.fixtures/models/${rest}`;
        next();
      });
    },
  };
}

/** The same suites in Firefox or WebKit (Debian's builds, driven by e2e/drivers). */
function otherEngine(browser: 'firefox' | 'webkit') {
  return {
    extends: true,
    optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
    test: {
      name: `browser-${browser}`,
      ...browserTest,
      browser: {
        enabled: true,
        headless: true,
        provider: engines(),
        // Failure screenshots need a provider command these drivers do not offer.
        screenshotFailures: false,
        instances: [{ browser }],
      },
    },
  };
}

export default defineConfig({
  plugins: [stallingRoutes()],
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions, externalConditions: sourceConditions } },
  server: { host: '127.0.0.1' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'packages/*/test/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'scripts/test/**/*.test.ts',
            'e2e/consumer/test/**/*.test.ts',
          ],
          exclude: ['**/*.browser.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
        test: {
          name: 'browser',
          ...browserTest,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      otherEngine('firefox'),
      otherEngine('webkit'),
    ],
  },
});

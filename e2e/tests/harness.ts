/**
 * The fixtures every spec uses, in every engine: `driven` (the browser, one per worker), `demo`
 * (the demo's test build served on E2E_PORT, one per worker), `session` (an isolated browsing
 * session per test) and `tab` (its first tab). A project per engine sets `engine`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { type DemoServer, startDemoServer } from '../demo-server.ts';
import type { EngineName } from '../drivers/engines.ts';
import { type BrowserSession, type DrivenBrowser, launchBrowser, type Tab } from '../drivers/page-driver.ts';
import { e2ePort, SUPPORT_DIR } from '../run-config.ts';

export { expect } from '@playwright/test';

export { e2ePort, repoRoot } from '../run-config.ts';

interface TestFixtures {
  session: BrowserSession;
  tab: Tab;
}
interface WorkerFixtures {
  engine: EngineName;
  driven: DrivenBrowser;
  demo: DemoServer;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  driven: [
    async ({ engine }, use) => {
      const browser = await launchBrowser(engine);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  demo: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use) => {
      const server = await startDemoServer(e2ePort);
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  session: async ({ driven, demo }, use) => {
    const session = await driven.newSession();
    await use(session);
    await session.close();
    // A spec that took the network away gives it back for the next one.
    await demo.start();
  },
  tab: async ({ session }, use) => {
    await use(await session.newTab());
  },
});

/** Merges `facts` into this engine's support record (test-results/browser-support/<engine>.json). */
export function recordSupport(engine: EngineName, facts: Record<string, unknown>): void {
  mkdirSync(SUPPORT_DIR, { recursive: true });
  const file = join(SUPPORT_DIR, `${engine}.json`);
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {}
  writeFileSync(file, `${JSON.stringify({ ...current, ...facts, engine }, null, 2)}\n`);
}

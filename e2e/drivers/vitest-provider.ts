/**
 * A Vitest browser provider for the engines Playwright cannot drive here: Debian's Firefox ESR
 * (puppeteer-core over WebDriver BiDi) and WebKitGTK's MiniBrowser (W3C WebDriver). Vitest serves
 * its tester page and runs the test files as usual; this provider only starts the browser and
 * points it at the page Vitest asks for. Tests use no provider commands (`userEvent`, locators,
 * screenshots), so none are registered.
 */
import { defineBrowserProvider } from '@vitest/browser';
import type { Browser, Page } from 'puppeteer-core';
import type { BrowserProvider, BrowserProviderOption } from 'vitest/node';
import { launchFirefox } from './firefox.ts';
import { launchWebKit, type WebKitBrowser } from './webdriver.ts';

/** The engines this provider drives. */
export type ProvidedEngine = 'firefox' | 'webkit';

interface Driven {
  open(url: string): Promise<void>;
  close(): Promise<void>;
}

async function drivenFirefox(): Promise<Driven> {
  const browser: Browser = await launchFirefox();
  let page: Page | null = null;
  return {
    async open(url) {
      page ??= (await browser.pages())[0] ?? (await browser.newPage());
      await page.goto(url, { timeout: 0, waitUntil: 'load' });
    },
    close: () => browser.close(),
  };
}

async function drivenWebKit(): Promise<Driven> {
  const browser: WebKitBrowser = await launchWebKit();
  let used = false;
  return {
    async open(url) {
      if (used) await browser.session.newTab();
      used = true;
      await browser.session.navigate(url);
    },
    close: () => browser.close(),
  };
}

function createProvider(engine: ProvidedEngine): BrowserProvider {
  let driven: Promise<Driven> | null = null;
  return {
    name: 'webembed-engines',
    supportsParallelism: false,
    getCommandsContext: () => ({}),
    async openPage(_sessionId, url) {
      driven ??= engine === 'firefox' ? drivenFirefox() : drivenWebKit();
      await (await driven).open(url);
    },
    async close() {
      const current = driven;
      driven = null;
      if (current) await (await current).close();
    },
  };
}

/** The provider option for one Vitest browser instance: `{ browser: engine, provider: engines() }`. */
export function engines(): BrowserProviderOption {
  return defineBrowserProvider({
    name: 'webembed-engines',
    supportedBrowser: ['firefox', 'webkit'],
    options: {},
    providerFactory(project) {
      const name = project.config.browser.name;
      if (name !== 'firefox' && name !== 'webkit')
        throw new Error(`webembed-engines provider: unsupported browser "${name}" (firefox or webkit)`);
      return createProvider(name);
    },
  });
}

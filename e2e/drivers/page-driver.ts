/**
 * One small page-driving interface over three automation stacks, so the end-to-end specs are
 * written once and run in every engine:
 *
 * - Chromium: Playwright (Debian's chromium).
 * - Firefox: puppeteer-core over WebDriver BiDi (Debian's firefox-esr).
 * - WebKit: W3C WebDriver through WebKitWebDriver (WebKitGTK's MiniBrowser under Xvfb).
 *
 * Scripts run in the page are plain functions turned into source text (so they must not close
 * over anything; pass values through `arg`). Confirm dialogs are accepted, as a user clicking OK.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BrowserContext,
  type Browser as PwBrowser,
  type Page as PwPage,
  chromium,
} from '@playwright/test';
import type { Browser as PpBrowser, BrowserContext as PpContext, Page as PpPage } from 'puppeteer-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';
import type { EngineName } from './engines.ts';
import { launchFirefox } from './firefox.ts';
import { launchWebKit, type WebKitBrowser } from './webdriver.ts';

/** A file handed to a file input. */
export interface FileToPick {
  readonly name: string;
  readonly buffer: Buffer;
}

/** One browser tab. */
export interface Tab {
  /** Loads `url` (absolute) and waits for its `load` event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (JSON-serializable) result, awaited. */
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /**
   * Polls `fn(arg)` in the page until it returns a truthy value, and returns that value; errors
   * while the page navigates are retried. Throws after `timeoutMs`.
   */
  waitFor<R, A = undefined>(
    fn: (arg: A) => R | Promise<R>,
    arg?: A,
    timeoutMs?: number,
  ): Promise<NonNullable<R>>;
  /** Clicks the first element matching `selector` as a user would (driver input events). */
  click(selector: string): Promise<void>;
  /** Sets an input's or textarea's value and fires `input`, like typing it at once. */
  fill(selector: string, value: string): Promise<void>;
  /** Picks `file` in the file input matching `selector`. */
  setFile(selector: string, file: FileToPick): Promise<void>;
  /** Saves a PNG of the page to `path`. */
  screenshot(path: string): Promise<void>;
  /** Closes the tab without running `beforeunload` handlers. */
  close(): Promise<void>;
}

/** An isolated browsing session (its own storage, service workers and caches). */
export interface BrowserSession {
  readonly engine: EngineName;
  /** Product and version, as the browser reports it. */
  readonly version: string;
  /** Opens a tab in this session (the first call may return the session's initial tab). */
  newTab(): Promise<Tab>;
  /**
   * Null when {@link setOffline} can take this session's network away (`navigator.onLine` turns
   * false), else why it cannot. Where it cannot, specs stop the server instead.
   */
  readonly offlineUnsupported: string | null;
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A launched browser: sessions, and a way to kill it as a crash would. */
export interface DrivenBrowser {
  readonly engine: EngineName;
  readonly version: string;
  newSession(): Promise<BrowserSession>;
  /** SIGKILLs the browser's main process (no clean shutdown, as in a crash). */
  kill(): void;
  close(): Promise<void>;
}

/** Options for {@link launchBrowser}. */
export interface LaunchOptions {
  /** A profile folder that outlives the browser; see {@link persistentProfileMissing}. */
  readonly userDataDir?: string;
}

/** Null when `engine` can keep a profile (IndexedDB) across a browser restart here, else why not. */
export function persistentProfileMissing(engine: EngineName): string | null {
  return engine === 'webkit'
    ? 'MiniBrowser in automation mode keeps website data in memory only (an ephemeral session), so ' +
        'nothing survives a browser restart'
    : null;
}

/** Source text that calls `fn(arg)`; `__name` is defined for helpers that tsx/esbuild insert. */
function callSource(fn: (arg: never) => unknown, arg: unknown): string {
  return `(async () => { const __name = (f) => f; return (${fn.toString()})(${JSON.stringify(arg ?? null)}); })()`;
}

const TRANSIENT = /context was destroyed|navigat|detached|no such (frame|window)|Cannot find context|reload/i;

async function pollFor<R>(run: () => Promise<R>, timeoutMs: number, what: string): Promise<NonNullable<R>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await run();
      if (value) return value as NonNullable<R>;
      lastError = null;
    } catch (err) {
      if (!TRANSIENT.test(String((err as Error)?.message ?? err))) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `waitFor timed out after ${timeoutMs} ms: ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function tempFile(file: FileToPick): string {
  const path = join(mkdtempSync(join(tmpdir(), 'webembed-e2e-file-')), file.name);
  writeFileSync(path, file.buffer);
  return path;
}

function fillSource(arg: { selector: string; value: string }) {
  const el = document.querySelector(arg.selector) as HTMLInputElement | HTMLTextAreaElement | null;
  if (!el) throw new Error(`fill: no element matches ${arg.selector}`);
  el.focus();
  el.value = arg.value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Chromium: Playwright

function playwrightTab(page: PwPage): Tab {
  page.on('dialog', (dialog) => void dialog.accept());
  const tab: Tab = {
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    reload: async () => void (await page.reload({ waitUntil: 'load' })),
    evaluate: (fn, arg) => page.evaluate(callSource(fn, arg)),
    waitFor: (fn, arg, timeoutMs = 30_000) =>
      pollFor(() => page.evaluate(callSource(fn, arg)), timeoutMs, fn.toString()),
    click: (selector) => page.click(selector),
    fill: async (selector, value) => void (await tab.evaluate(fillSource, { selector, value })),
    setFile: (selector, file) => page.setInputFiles(selector, tempFile(file)),
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    close: () => page.close({ runBeforeUnload: false }),
  };
  return tab;
}

function playwrightSession(context: BrowserContext, version: string, close: () => Promise<void>) {
  const session: BrowserSession = {
    engine: 'chromium',
    version,
    offlineUnsupported: null,
    newTab: async () => playwrightTab(await context.newPage()),
    setOffline: (offline) => context.setOffline(offline),
    close,
  };
  return session;
}

/** Pid of the Chromium main process started with `--user-data-dir=dir` (found by command line). */
function chromiumPid(userDataDir: string): number {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const main = lines.find((l) => l.includes(`--user-data-dir=${userDataDir}`) && !l.includes('--type='));
  if (!main) throw new Error(`no Chromium process found for ${userDataDir}`);
  return Number(main.trim().split(/\s+/)[0]);
}

async function launchChromium(options: LaunchOptions): Promise<DrivenBrowser> {
  const launch = { executablePath: chromiumPath, args: chromiumArgs, headless: true };
  if (options.userDataDir) {
    const dir = options.userDataDir;
    const context = await chromium.launchPersistentContext(dir, { ...launch, serviceWorkers: 'allow' });
    const version = `Chromium ${context.browser()?.version() ?? ''}`.trim();
    return {
      engine: 'chromium',
      version,
      newSession: async () => playwrightSession(context, version, async () => undefined),
      kill: () => process.kill(chromiumPid(dir), 'SIGKILL'),
      close: () => context.close().catch(() => undefined),
    };
  }
  const browser: PwBrowser = await chromium.launch(launch);
  const version = `Chromium ${browser.version()}`;
  return {
    engine: 'chromium',
    version,
    async newSession() {
      const context = await browser.newContext({ serviceWorkers: 'allow' });
      return playwrightSession(context, version, () => context.close());
    },
    kill: () => {
      throw new Error('kill() needs a browser launched with userDataDir');
    },
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi

function puppeteerTab(page: PpPage): Tab {
  page.on('dialog', (dialog) => void dialog.accept());
  const tab: Tab = {
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load', timeout: 120_000 })),
    reload: async () => void (await page.reload({ waitUntil: 'load', timeout: 120_000 })),
    evaluate: (fn, arg) => page.evaluate(callSource(fn, arg)) as Promise<never>,
    waitFor: (fn, arg, timeoutMs = 30_000) =>
      pollFor(() => page.evaluate(callSource(fn, arg)) as Promise<never>, timeoutMs, fn.toString()),
    click: (selector) => page.click(selector),
    fill: async (selector, value) => void (await tab.evaluate(fillSource, { selector, value })),
    async setFile(selector, file) {
      const input = await page.$(selector);
      if (!input) throw new Error(`setFile: no element matches ${selector}`);
      await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(tempFile(file));
    },
    screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
    close: () => page.close({ runBeforeUnload: false }),
  };
  return tab;
}

async function launchFirefoxDriven(options: LaunchOptions): Promise<DrivenBrowser> {
  const browser: PpBrowser = await launchFirefox(options);
  const version = (await browser.version()).replace(/^firefox\//i, 'Firefox ');
  const pid = browser.process()?.pid;
  return {
    engine: 'firefox',
    version,
    async newSession() {
      // A fresh user context isolates storage; a persistent profile uses the default one.
      const context: PpContext = options.userDataDir
        ? browser.defaultBrowserContext()
        : await browser.createBrowserContext();
      const pages: PpPage[] = [];
      return {
        engine: 'firefox',
        version,
        offlineUnsupported:
          'puppeteer-core cannot emulate offline in Firefox over WebDriver BiDi; the server is stopped instead',
        async newTab() {
          const page = await context.newPage();
          pages.push(page);
          return puppeteerTab(page);
        },
        async setOffline() {
          throw new Error('setOffline: not supported in Firefox here');
        },
        async close() {
          if (options.userDataDir) await Promise.all(pages.map((p) => p.close().catch(() => undefined)));
          else await context.close().catch(() => undefined);
        },
      };
    },
    kill: () => {
      if (pid === undefined) throw new Error('no Firefox process id');
      process.kill(pid, 'SIGKILL');
    },
    close: () => browser.close().catch(() => undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// WebKit: W3C WebDriver (WebKitWebDriver + MiniBrowser)

function webdriverTab(browser: WebKitBrowser, handle: string, focus: { current: string }): Tab {
  const { session } = browser;
  const select = async () => {
    if (focus.current !== handle) {
      await session.switchTo(handle);
      focus.current = handle;
    }
  };
  const run = async <R>(source: string): Promise<R> => {
    await select();
    const answer = await session.executeAsync<{ value?: R; error?: string }>(
      `const done = arguments[arguments.length - 1];
       ${source}.then((value) => done({ value }), (e) => done({ error: String((e && e.stack) || e) }));`,
    );
    if (answer && typeof answer.error === 'string') throw new Error(`in page: ${answer.error}`);
    return answer?.value as R;
  };
  const tab: Tab = {
    goto: async (url) => {
      await select();
      await session.navigate(url);
    },
    reload: async () => {
      await select();
      await session.refresh();
    },
    evaluate: (fn, arg) => run(callSource(fn, arg)),
    waitFor: (fn, arg, timeoutMs = 30_000) =>
      pollFor(() => run(callSource(fn, arg)), timeoutMs, fn.toString()),
    async click(selector) {
      await select();
      await session.click(await session.find(selector));
    },
    fill: async (selector, value) => void (await tab.evaluate(fillSource, { selector, value })),
    async setFile(selector, file) {
      await select();
      await session.sendKeys(await session.find(selector), tempFile(file));
    },
    async screenshot(path) {
      await select();
      writeFileSync(path, await session.screenshot());
    },
    async close() {
      await select();
      await session.closeWindow();
      focus.current = '';
    },
  };
  return tab;
}

async function launchWebKitDriven(options: LaunchOptions): Promise<DrivenBrowser> {
  if (options.userDataDir) throw new Error(`webkit: ${persistentProfileMissing('webkit')}`);
  // Each session is its own MiniBrowser (WebKit automation sessions are ephemeral and isolated).
  const started: WebKitBrowser[] = [];
  const probe = await launchWebKit();
  started.push(probe);
  const version = probe.version;
  let spare: WebKitBrowser | null = probe;
  return {
    engine: 'webkit',
    version,
    async newSession() {
      const browser = spare ?? (await launchWebKit());
      if (spare === null) started.push(browser);
      spare = null;
      const [first] = await browser.session.windowHandles();
      const focus = { current: first };
      let firstUsed = false;
      return {
        engine: 'webkit',
        version,
        offlineUnsupported: 'W3C WebDriver (classic) has no network emulation; the server is stopped instead',
        async newTab() {
          if (!firstUsed) {
            firstUsed = true;
            return webdriverTab(browser, first, focus);
          }
          const handle = await browser.session.newTab();
          focus.current = handle;
          return webdriverTab(browser, handle, focus);
        },
        async setOffline() {
          throw new Error('setOffline: not supported in WebKit here');
        },
        close: () => browser.close(),
      };
    },
    kill() {
      const pid = started.at(-1)?.browserPid();
      if (!pid) throw new Error('no MiniBrowser process found');
      process.kill(pid, 'SIGKILL');
    },
    async close() {
      await Promise.all(started.map((b) => b.close()));
    },
  };
}

/** Starts `engine` headless (WebKit under Xvfb). */
export function launchBrowser(engine: EngineName, options: LaunchOptions = {}): Promise<DrivenBrowser> {
  if (engine === 'chromium') return launchChromium(options);
  if (engine === 'firefox') return launchFirefoxDriven(options);
  return launchWebKitDriven(options);
}

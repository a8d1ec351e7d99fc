/**
 * The three browser engines the tests run in, and where this machine keeps each one.
 *
 * - `chromium`: Debian's `chromium`, driven by Playwright (flags in scripts/chromium.mjs).
 * - `firefox`: Debian's `firefox-esr`, driven by puppeteer-core over WebDriver BiDi (no geckodriver).
 * - `webkit`: WebKitGTK's MiniBrowser (Safari's engine), driven through `WebKitWebDriver` (W3C
 *   WebDriver) under `xvfb-run`, since MiniBrowser needs an X display.
 *
 * Playwright's own Firefox and WebKit builds are not used: they cannot be downloaded here, and the
 * Debian packages are what `pnpm setup --browser` installs through apt.
 */
import { existsSync } from 'node:fs';
import { chromiumPath } from '../../scripts/chromium.mjs';

/** A browser engine the suites run in. */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** Every engine, in the order the suites run them. */
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** `firefox-esr` binary: $FIREFOX_PATH, else Debian's. */
export const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
/** `WebKitWebDriver` binary (package webkit2gtk-driver): $WEBKIT_DRIVER_PATH, else Debian's. */
export const webkitDriverPath = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
/** MiniBrowser, the WebKitGTK browser WebKitWebDriver starts: $MINIBROWSER_PATH, else Debian's. */
export const miniBrowserPath =
  process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
/** `xvfb-run` (package xvfb), which gives MiniBrowser a virtual display. */
export const xvfbRunPath = process.env.XVFB_RUN_PATH || '/usr/bin/xvfb-run';

/** The files an engine needs on this machine. */
export function engineFiles(engine: EngineName): string[] {
  if (engine === 'chromium') return [chromiumPath];
  if (engine === 'firefox') return [firefoxPath];
  return [webkitDriverPath, miniBrowserPath, xvfbRunPath];
}

/** Null when the engine can run here, else why not (which file is missing). */
export function engineMissing(engine: EngineName): string | null {
  const missing = engineFiles(engine).filter((file) => !existsSync(file));
  return missing.length === 0
    ? null
    : `${engine}: missing ${missing.join(', ')} (run \`pnpm setup --browser\`)`;
}

/** Reads `WEBEMBED_ENGINES` (comma-separated) or returns every engine. Unknown names are refused. */
export function enginesFromEnv(value = process.env.WEBEMBED_ENGINES): EngineName[] {
  if (!value) return [...ENGINES];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(ENGINES as readonly string[]).includes(name))
      throw new Error(`WEBEMBED_ENGINES: unknown engine "${name}" (expected ${ENGINES.join(', ')})`);
  }
  return names as EngineName[];
}

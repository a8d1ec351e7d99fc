/**
 * Launches Debian's Firefox ESR with puppeteer-core over WebDriver BiDi (Firefox's own remote
 * agent; no geckodriver), headless.
 */
import puppeteer, { type Browser } from 'puppeteer-core';
import { firefoxPath } from './engines.ts';

/** Options for {@link launchFirefox}. */
export interface FirefoxLaunchOptions {
  /** A profile folder kept across launches (for tests that restart the browser); fresh otherwise. */
  readonly userDataDir?: string;
}

/** Starts headless Firefox; close it with `browser.close()`. */
export function launchFirefox(options: FirefoxLaunchOptions = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: firefoxPath,
    headless: true,
    ...(options.userDataDir ? { userDataDir: options.userDataDir } : {}),
    // The page's own confirm() dialogs are handled by the page drivers.
    extraPrefsFirefox: {
      // No update checks, telemetry or remote settings: the machine has no network anyway.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
}

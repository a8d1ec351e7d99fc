/**
 * What the browser running a test file can do, for the browser suites that run in Chromium,
 * Firefox and WebKit. A suite or test that needs a capability the browser lacks is skipped with
 * the reason as its note (`needs(reason)`), never dropped: Vitest prints the note beside the
 * skipped test, and scripts/test/skip-reporter.mjs lists every skip with its reason.
 */
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why a suite or test does not run in this browser. */
    skipReason?: string;
  }
}

/** The browser in a few words, from its user agent: `Firefox 153`, `Chrome 156`, `WebKit 605.1.15`. */
export function browserLabel(ua = navigator.userAgent): string {
  const firefox = /Firefox\/(\d+)/.exec(ua);
  if (firefox) return `Firefox ${firefox[1]}`;
  const chrome = /Chrom(?:e|ium)\/(\d+)/.exec(ua);
  if (chrome) return `Chrome ${chrome[1]}`;
  const webkit = /AppleWebKit\/([\d.]+)/.exec(ua);
  return webkit ? `WebKit ${webkit[1]}` : ua;
}

/** Null when this browser gives a WebGPU adapter, else why not. */
export async function webgpuMissing(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return `needs WebGPU: ${browserLabel()} has no navigator.gpu`;
  try {
    if (await gpu.requestAdapter()) return null;
    return `needs WebGPU: ${browserLabel()} returned no WebGPU adapter`;
  } catch (err) {
    return `needs WebGPU: requestAdapter() failed in ${browserLabel()} (${(err as Error).message})`;
  }
}

/**
 * Options for a `describe` or `it` that needs what `missing` names: none when it is null, else
 * skipped (its hooks do not run either) with `missing` recorded as the reason.
 */
export function needs(missing: string | null): TestOptions {
  return missing === null ? {} : { skip: true, meta: { skipReason: missing } };
}

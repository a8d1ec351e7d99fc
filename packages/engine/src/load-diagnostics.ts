/**
 * Saying which URL broke a model load. transformers.js turns a missing file into a terse message,
 * a dev server's HTML fallback page into a JSON parse error, and onnxruntime-web turns a runtime
 * file served as HTML into "no available backend found". So during a load the engine watches the
 * responses transformers.js fetches (its `env.fetch` hook) for ones that cannot be the file asked
 * for, and after a failed load it fetches the two runtime files once to check them. A web page
 * answering for a model file (a single-page app's fallback, as Vite's dev server sends) is handed
 * to transformers.js as the 404 it stands for, so a local miss falls through to the Hub when
 * `env.allowRemoteModels` is on instead of failing to parse HTML.
 *
 * @module
 */
import type { WasmPaths } from './env.js';

/** A response that cannot be the file that was asked for. */
export interface BadResponse {
  readonly url: string;
  /** In words: `answered 404 Not Found`, `was served as text/html ...`. */
  readonly problem: string;
}

/** The `fetch` signature of transformers.js' `env.fetch`. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Responses seen while a load runs (see {@link watchFetches}). */
export interface FetchWatch {
  readonly bad: readonly BadResponse[];
  /** Stops recording into {@link bad}. */
  stop(): void;
}

const WATCHED = Symbol.for('webembed.fetch-watch');
const activeLogs = new Set<BadResponse[]>();

function isHtml(response: Response): boolean {
  return /text\/html/i.test(response.headers.get('content-type') ?? '');
}

/** Why `response` cannot be a model or runtime file, or `null`. */
export function responseProblem(response: Response): string | null {
  if (!response.ok) return `answered ${response.status} ${response.statusText}`.trim();
  if (isHtml(response)) {
    return `was served as ${response.headers.get('content-type')}: a web page, not the file (a wrong path answered by the server's fallback page?)`;
  }
  return null;
}

function urlOf(input: string | URL | Request, response: Response): string {
  if (response.url) return response.url;
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * Records the bad responses `target.fetch` returns until `stop()`, and hands a web page that
 * answered for a file on as a 404. The hook is wrapped once and shared by concurrent loads; each
 * load gets its own log.
 */
export function watchFetches(target: { fetch?: FetchLike }): FetchWatch {
  const inner = target.fetch;
  if (typeof inner === 'function' && !(WATCHED in inner)) {
    const watched: FetchLike = async (input, init) => {
      const response = await inner(input, init);
      const problem = responseProblem(response);
      if (!problem) return response;
      const entry = { url: urlOf(input, response), problem };
      for (const log of activeLogs) log.push(entry);
      if (!response.ok || !isHtml(response)) return response;
      void response.body?.cancel();
      return new Response(null, {
        status: 404,
        statusText: 'Not Found (the server answered with a web page)',
      });
    };
    Object.defineProperty(watched, WATCHED, { value: true });
    target.fetch = watched;
  }
  const bad: BadResponse[] = [];
  activeLogs.add(bad);
  return { bad, stop: () => activeLogs.delete(bad) };
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

async function firstBytes(response: Response, count: number): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(await response.arrayBuffer()).subarray(0, count);
  const out = new Uint8Array(count);
  let filled = 0;
  try {
    while (filled < count) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(count - filled, value.length);
      out.set(value.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    void reader.cancel();
  }
  return out.subarray(0, filled);
}

async function probeRuntimeFile(url: string, kind: 'mjs' | 'wasm'): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    return `could not be fetched (${err instanceof Error ? err.message : String(err)})`;
  }
  const problem = responseProblem(response);
  if (problem) {
    void response.body?.cancel();
    return problem;
  }
  if (kind === 'wasm') {
    const head = await firstBytes(response, WASM_MAGIC.length);
    if (!WASM_MAGIC.every((byte, i) => head[i] === byte)) {
      const shown = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing';
      return `is not a WebAssembly module (it starts with ${shown}, not 00 61 73 6d)`;
    }
    return null;
  }
  void response.body?.cancel();
  const type = response.headers.get('content-type') ?? '';
  if (/^(https?|file):/i.test(response.url || url) && type && !/javascript|ecmascript/i.test(type)) {
    return `was served as ${type}, not JavaScript`;
  }
  return null;
}

/** Fetches the two onnxruntime-web files once; lists the ones that cannot be what they should. */
export async function diagnoseRuntimeFiles(paths: WasmPaths): Promise<BadResponse[]> {
  const found: BadResponse[] = [];
  for (const [url, kind] of [
    [paths.mjs, 'mjs'],
    [paths.wasm, 'wasm'],
  ] as const) {
    const problem = await probeRuntimeFile(url, kind);
    if (problem) found.push({ url, problem });
  }
  return found;
}

/** `; GET <url> answered 404 ...` for an error message, or `''` when nothing was bad. */
export function describeBadResponses(bad: readonly BadResponse[]): string {
  if (bad.length === 0) return '';
  const unique = [...new Map(bad.map((b) => [`${b.url} ${b.problem}`, b])).values()];
  return `; ${unique.map((b) => `${b.url} ${b.problem}`).join('; ')}`;
}

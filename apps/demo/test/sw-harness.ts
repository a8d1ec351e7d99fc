/**
 * Runs the demo's real service worker (`src/sw.ts`) in Node: a fake worker scope that records its
 * listeners, an in-memory CacheStorage, and a scripted network. Each `loadWorker` imports a fresh
 * copy of the module, as a browser would start an updated worker, sharing the same caches.
 */
import { vi } from 'vitest';
import type { DemoBuildConfig } from '../src/build-config';
import type { AssetList } from '../src/sw/routes';

const keyOf = (request: RequestInfo | URL): string =>
  typeof request === 'string' ? new URL(request).href : request instanceof URL ? request.href : request.url;

/** One cache: responses by URL (the query string counts, as in browsers). */
export class MemoryCache {
  readonly entries = new Map<string, Response>();
  async match(request: RequestInfo | URL, options: { ignoreSearch?: boolean } = {}) {
    const key = keyOf(request);
    let hit = this.entries.get(key);
    if (!hit && options.ignoreSearch) {
      const bare = key.split('?')[0];
      hit = [...this.entries].find(([k]) => k.split('?')[0] === bare)?.[1];
    }
    return hit?.clone();
  }
  async put(request: RequestInfo | URL, response: Response) {
    this.entries.set(keyOf(request), response.clone());
  }
  async addAll(requests: readonly (RequestInfo | URL)[]) {
    for (const request of requests) this.put(request, await fetch(request));
  }
  async delete(request: RequestInfo | URL) {
    return this.entries.delete(keyOf(request));
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
}

/** CacheStorage in memory. */
export class MemoryCaches {
  readonly caches = new Map<string, MemoryCache>();
  async open(name: string) {
    let cache = this.caches.get(name);
    if (!cache) {
      cache = new MemoryCache();
      this.caches.set(name, cache);
    }
    return cache;
  }
  async has(name: string) {
    return this.caches.has(name);
  }
  async keys() {
    return [...this.caches.keys()];
  }
  async delete(name: string) {
    return this.caches.delete(name);
  }
  async match(request: RequestInfo | URL, options: { cacheName?: string; ignoreSearch?: boolean } = {}) {
    for (const [name, cache] of this.caches) {
      if (options.cacheName !== undefined && name !== options.cacheName) continue;
      const hit = await cache.match(request, options);
      if (hit) return hit;
    }
    return undefined;
  }
}

/** What the network answers: a response maker per URL; anything else is a network error. */
export type Network = Map<string, () => Response>;

/** A started worker: dispatch lifecycle and fetch events to it. */
export interface TestWorker {
  install(): Promise<void>;
  activate(): Promise<void>;
  /** Dispatches a fetch event and waits for its response and every `waitUntil` promise. */
  get(url: string): Promise<Response>;
  /** URLs the worker fetched from the network, in order. */
  readonly fetched: string[];
  /** Messages the worker posted to its clients. */
  readonly messages: unknown[];
}

type Listener = (event: unknown) => void;

/** Imports a fresh `src/sw.ts` in a fake worker scope and returns a handle to drive it. */
export async function loadWorker(options: {
  scope: string;
  assets: AssetList;
  build: DemoBuildConfig;
  caches: MemoryCaches;
  network: Network;
  manifest?: readonly { url: string; revision: string | null }[];
}): Promise<TestWorker> {
  const listeners = new Map<string, Listener[]>();
  const fetched: string[] = [];
  const messages: unknown[] = [];
  const scope = {
    registration: { scope: options.scope },
    clients: {
      claim: async () => {},
      matchAll: async () => [{ postMessage: (m: unknown) => messages.push(m) }],
    },
    skipWaiting: async () => {},
    addEventListener: (type: string, listener: Listener) => {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    __WB_MANIFEST: options.manifest ?? [],
  };
  vi.stubGlobal('self', scope);
  vi.stubGlobal('caches', options.caches);
  vi.stubGlobal('__WEBEMBED_ASSETS__', options.assets);
  vi.stubGlobal('__WEBEMBED_DEMO__', options.build);
  vi.stubGlobal('fetch', async (request: RequestInfo | URL) => {
    const url = keyOf(request);
    fetched.push(url);
    const make = options.network.get(url);
    if (!make) throw new TypeError(`network error: ${url}`);
    return make();
  });
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.resetModules();
  await import('../src/sw');

  const lifecycle = async (type: 'install' | 'activate') => {
    const pending: Promise<unknown>[] = [];
    for (const listener of listeners.get(type) ?? [])
      listener({ waitUntil: (p: Promise<unknown>) => pending.push(p) });
    await Promise.all(pending);
  };
  return {
    install: () => lifecycle('install'),
    activate: () => lifecycle('activate'),
    async get(url) {
      const pending: Promise<unknown>[] = [];
      let response: Promise<Response> | undefined;
      const event = {
        request: new Request(url),
        respondWith: (r: Promise<Response> | Response) => {
          response = Promise.resolve(r);
        },
        waitUntil: (p: Promise<unknown>) => pending.push(p),
      };
      for (const listener of listeners.get('fetch') ?? []) listener(event);
      if (!response) throw new Error(`the worker left ${url} to the browser`);
      const answer = await response;
      await Promise.all(pending);
      return answer;
    },
    fetched,
    messages,
  };
}

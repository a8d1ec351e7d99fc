/**
 * The main-thread API: `createEngine` starts the engine in a module worker (so inference and
 * search never block the page) and returns the same {@link Engine} interface as the in-process
 * engine; `open` gives working semantic search over one collection in a few lines.
 *
 * @example
 * ```ts
 * import { env, open } from '@webembed/engine';
 * env.localModelPath = '/models/';
 * const notes = await open({ model: 'Xenova/multilingual-e5-small', collection: 'notes' });
 * await notes.upsert([{ id: '1', text: 'Le chat dort sur le canapé.' }]);
 * const { hits } = await notes.search('where does the cat sleep?', { k: 3 });
 * ```
 *
 * @module
 */
import { WebEmbedError, isWebEmbedError } from '@webembed/core';
import { type Remote, proxy, releaseProxy, wrap } from 'comlink';
import { loadInProcessEngine } from '#in-process';
import type { AddOptions, CollectionSearchOptions, DocumentToAdd } from './collection.js';
import { isNodeRuntime } from './device.js';
import type { EmbedOptions } from './embedder.js';
import type { LoadProgress } from './runtime.js';
import type { Engine, EngineCollectionHandle, EngineInfo, EngineOptions } from './engine.js';
import { defaultWasmThreads, env } from './env.js';
import { registerErrorTransfer } from './error-transfer.js';
import type { EngineWorkerApi, PlainFilter, WireSearchOptions } from './protocol.js';
import { type RemoteEndpoint, createRemoteClient, normalizeEndpoint } from '@webembed/remote';
import {
  type RemoteCollectionHandle,
  type RemoteFailurePolicy,
  checkRemoteModel,
  remoteCollection,
  tieredCollection,
} from './remote-collection.js';
import {
  DEFAULT_START_TIMEOUT_MS,
  type StartedWorker,
  startEngineWorker,
  startWorkerAt,
  watchWorkerStart,
} from './worker-start.js';

/** Options of {@link createEngine}. */
export interface CreateEngineOptions extends Omit<EngineOptions, 'denseSearcher'> {
  /**
   * Where the engine runs: `'auto'` (default: the package's own module worker in browsers,
   * in-process under Node), the URL of a module worker script, a `Worker` you created (its script
   * must call {@link serveEngineWorker}), or `false` (in-process under Node; browser builds
   * refuse it: call `createLocalEngine` there).
   */
  readonly worker?: Worker | string | URL | 'auto' | false;
  /**
   * How long a started worker may take to answer its start-up ping before `createEngine` rejects
   * with `WORKER_START_TIMEOUT`, in ms. Default {@link DEFAULT_START_TIMEOUT_MS} (30 s). A worker
   * script that fails to load rejects at once with `WORKER_LOAD_FAILED`.
   */
  readonly startTimeoutMs?: number;
  /**
   * How long loading may go without any progress (no download bytes, no step finished) before
   * it counts as stalled, in ms. Default {@link DEFAULT_LOAD_STALL_TIMEOUT_MS} (120 s: fetching
   * onnxruntime-web's 27 MB .wasm reports no progress, and may take that long on a slow link). A stalled
   * load in a worker `createEngine` started itself (`worker: 'auto'` or a URL) is retried once in a
   * fresh worker on one WASM thread, with the reason in `info.fallbackReasons`; otherwise, or when
   * the retry stalls too, it rejects with `MODEL_LOAD_TIMEOUT` naming the model and the last file.
   */
  readonly loadStallTimeoutMs?: number;
}

/** Default {@link CreateEngineOptions.loadStallTimeoutMs}: two minutes without any load progress. */
export const DEFAULT_LOAD_STALL_TIMEOUT_MS = 120_000;

/**
 * Rejects when `ms` pass without a call to `progress()`; `stop()` ends the watch. Guards a model
 * load that hangs inside the runtime (seen with multi-threaded WASM session creation), so that
 * `createEngine` never stays pending.
 */
function watchLoadStall(model: string, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 'nothing loaded yet';
  let fail: (err: WebEmbedError) => void = () => {};
  const stalled = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        fail(
          new WebEmbedError(
            'MODEL_LOAD_TIMEOUT',
            `loading ${model} made no progress for ${ms} ms (last: ${last}); raise loadStallTimeoutMs for a very slow device or connection`,
            { model, timeoutMs: ms, last },
          ),
        ),
      ms,
    );
  };
  arm();
  return {
    stalled,
    progress(event: LoadProgress) {
      last = event.file ? `${event.status} ${event.file}` : event.status;
      arm();
    },
    stop: () => clearTimeout(timer),
  };
}

let nextOpId = 1;

/** Runs `call` with an operation id that `signal` aborts in the worker. */
async function withAbort<T>(
  api: Remote<EngineWorkerApi>,
  signal: AbortSignal | undefined,
  call: (opId: number | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return call(undefined);
  if (signal.aborted) {
    throw new WebEmbedError('ABORTED', 'the operation was cancelled through its AbortSignal');
  }
  const opId = nextOpId++;
  const onAbort = () => {
    void api.abort(opId);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(opId);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function plainFilter(filter: CollectionSearchOptions['filter']): PlainFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === 'function') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'a filter function cannot cross to the engine worker; pass an object of metadata values, or use worker: false',
    );
  }
  return filter as PlainFilter;
}

/** A collection search's options for the worker (plain filter, the operation id of its abort signal). */
function wireSearchOptions(o: CollectionSearchOptions, opId: number | undefined): WireSearchOptions {
  return { k: o.k, mode: o.mode, filter: plainFilter(o.filter), hybridDense: o.hybridDense, opId };
}

function optionalProxy<F extends (...args: never[]) => unknown>(fn: F | undefined): F | undefined {
  return fn ? proxy(fn) : undefined;
}

/**
 * An engine whose work runs in `worker` (already started, serving {@link serveEngineWorker}).
 * Rejects with `WORKER_LOAD_FAILED` when the worker's script fails to load or throws while the
 * engine starts, and `WORKER_START_TIMEOUT` when it does not answer within `startTimeoutMs`.
 */
export async function engineInWorker(
  worker: Worker | StartedWorker,
  options: Omit<CreateEngineOptions, 'worker'>,
): Promise<Engine> {
  registerErrorTransfer();
  const started: StartedWorker = 'worker' in worker ? worker : { worker, url: null };
  const {
    onLoadProgress,
    env: envOverrides,
    startTimeoutMs = DEFAULT_START_TIMEOUT_MS,
    loadStallTimeoutMs = DEFAULT_LOAD_STALL_TIMEOUT_MS,
    ...rest
  } = options;
  if (!(typeof loadStallTimeoutMs === 'number' && loadStallTimeoutMs > 0)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `loadStallTimeoutMs must be a positive number of milliseconds, got ${String(loadStallTimeoutMs)}`,
    );
  }
  const watch = watchWorkerStart(started, startTimeoutMs);
  const api = wrap<EngineWorkerApi>(started.worker);
  let info: EngineInfo;
  try {
    await watch.ready;
    const stall = watchLoadStall(rest.model, loadStallTimeoutMs);
    try {
      info = await Promise.race([
        api.init(
          { ...rest, env: { ...env, ...envOverrides } },
          proxy((event: LoadProgress) => {
            stall.progress(event);
            onLoadProgress?.(event);
          }),
        ),
        watch.failure,
        stall.stalled,
      ]);
    } finally {
      stall.stop();
    }
  } finally {
    watch.stop();
  }

  const collectionHandle = (name: string): EngineCollectionHandle => {
    const write = (docs: readonly DocumentToAdd[], o: AddOptions = {}, upsert = false) =>
      withAbort(api, o.signal, (opId) =>
        api.add(name, docs, { upsert, chunk: o.chunk, opId }, optionalProxy(o.onProgress)),
      );
    return {
      name,
      add: (docs, o) => write(docs, o, false),
      upsert: (docs, o) => write(docs, o, true),
      search: (query, o = {}) =>
        withAbort(api, o.signal, (opId) => api.search(name, query, wireSearchOptions(o, opId))),
      searchMany: (queries, o = {}) =>
        withAbort(api, o.signal, (opId) => api.searchMany(name, queries, wireSearchOptions(o, opId))),
      delete: (ids) => api.delete(name, ids),
      count: () => api.count(name),
      clear: () => api.clear(name),
      export: () => api.exportCollection(name),
      import: (bytes) => api.importCollection(name, bytes),
    };
  };

  return {
    info,
    embed: (texts, o: EmbedOptions = {}) =>
      withAbort(api, o.signal, (opId) =>
        api.embed(texts, { kind: o.kind, opId }, optionalProxy(o.onProgress)),
      ),
    async collection(name, o = {}) {
      await api.openCollection(name, { kinds: o.kinds, exactSearchLimit: o.exactSearchLimit });
      return collectionHandle(name);
    },
    deleteCollection: (name) => api.deleteCollection(name),
    listCollections: () => api.listCollections(),
    async dispose() {
      try {
        await api.dispose();
      } finally {
        api[releaseProxy]();
        started.worker.terminate();
      }
    },
  };
}

/**
 * Starts an engine: in a module worker in browsers (WebGPU or WASM inference, collections in
 * IndexedDB, search on WebGPU with CPU fallback), in-process under Node.
 *
 * @example
 * ```ts
 * const engine = await createEngine({ model: 'Xenova/all-MiniLM-L6-v2', device: 'auto', dtype: 'q8' });
 * console.log(engine.info.backend, engine.info.adapter?.label);
 * const { vectors } = await engine.embed(['hello'], { kind: 'query' });
 * ```
 */
export async function createEngine(options: CreateEngineOptions): Promise<Engine> {
  const { worker = 'auto', startTimeoutMs, ...rest } = options;
  if (worker === false || (worker === 'auto' && (isNodeRuntime() || typeof Worker === 'undefined'))) {
    const createInProcess = await loadInProcessEngine();
    if (!createInProcess) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        worker === false
          ? 'createEngine({ worker: false }) runs in-process only under Node; in a browser call createLocalEngine(options) to run the engine in this thread'
          : 'no Worker in this context: call createLocalEngine(options) to run the engine in this thread',
      );
    }
    return createInProcess(rest);
  }
  // Only a worker this function starts itself can be replaced by a fresh one.
  const ownsWorker = worker === 'auto' || typeof worker === 'string' || worker instanceof URL;
  const attempt = async (attemptOptions: Omit<CreateEngineOptions, 'worker'>): Promise<Engine> => {
    const started =
      worker === 'auto'
        ? startEngineWorker()
        : typeof worker === 'string' || worker instanceof URL
          ? startWorkerAt(worker)
          : { worker, url: null };
    try {
      return await engineInWorker(started, attemptOptions);
    } catch (err) {
      started.worker.terminate();
      throw err;
    }
  };
  try {
    return await attempt({ ...rest, startTimeoutMs });
  } catch (err) {
    // A load that stalled inside the runtime: once more in a fresh worker, on one WASM thread,
    // saying so.
    if (!ownsWorker || !isWebEmbedError(err, 'MODEL_LOAD_TIMEOUT')) throw err;
    const threads = rest.env?.numThreads ?? env.numThreads ?? defaultWasmThreads();
    const engine = await attempt({ ...rest, startTimeoutMs, env: { ...rest.env, numThreads: 1 } });
    const reason = `load stalled (${err.message}); retried in a fresh worker${threads > 1 ? ` on 1 WASM thread (was ${threads})` : ''}`;
    return { ...engine, info: { ...engine.info, fallbackReasons: [...engine.info.fallbackReasons, reason] } };
  }
}

/** The remote part of a tiered collection (see {@link open}). */
export interface RemoteTier extends RemoteEndpoint {
  /** How the tiers combine: `merge` (the default and only one): both searched, hits merged by score. */
  readonly tier?: 'merge';
  /**
   * `throw` (default): a search fails when the service cannot be reached. `local`: it answers from
   * the hot set alone and says so in `remoteFailure` (offline use). Errors the service reports,
   * such as `MODEL_MISMATCH`, always throw.
   */
  readonly whenRemoteFails?: RemoteFailurePolicy;
}

/** Options of {@link open} for a local collection, or a tiered one when `remote` is set. */
export interface OpenOptions extends CreateEngineOptions {
  /** Collection to open (created for this model when missing). */
  readonly collection: string;
  /**
   * A remote collection (its URL, `<service>/collections/<name>`, or {@link RemoteTier}) behind
   * the local one: searches then cover both, merged by score.
   */
  readonly remote?: string | RemoteTier;
}

/** Options of {@link open} for a remote collection alone. */
export interface OpenRemoteOptions extends Partial<CreateEngineOptions> {
  /** The remote collection: its URL (`<service>/collections/<name>`) or {@link RemoteEndpoint}. */
  readonly remote: string | RemoteEndpoint;
  /** API key sent to the service (or `remote.apiKey`). */
  readonly apiKey?: string;
  /**
   * Model that embeds queries here (sent as vectors with its fingerprint; the service refuses
   * another model's with `MODEL_MISMATCH`). Without one, queries go as text and the service must
   * embed them.
   */
  readonly model?: string;
  readonly collection?: undefined;
}

/** An engine plus one open collection: semantic search in a few lines. */
export interface OpenedCollection extends EngineCollectionHandle {
  readonly engine: Engine;
  /** What runs: backend, adapter, threads, model fingerprint, search backend (`engine.info`). */
  readonly info: EngineInfo;
  /** The remote part, for a tiered collection. */
  readonly remote?: RemoteCollectionHandle;
  /** Disposes the engine (and its worker). */
  close(): Promise<void>;
}

/** A tiered collection opened by {@link open}: the local hot set's API, searches merged with the remote. */
export interface OpenedTieredCollection extends OpenedCollection {
  readonly remote: RemoteCollectionHandle;
}

/** A remote collection opened by {@link open}, with the engine embedding its queries (when a model was given). */
export interface OpenedRemoteCollection extends RemoteCollectionHandle {
  readonly engine: Engine | null;
  /** Disposes the engine, if any. */
  close(): Promise<void>;
}

/**
 * Opens a collection: the shortest way to working semantic search.
 *
 * - `{ model, collection }`: a local collection (IndexedDB, searched on WebGPU or the CPU).
 * - `{ remote, apiKey?, model? }`: a collection served by a webembed search service
 *   (`@webembed/pgvector`), same `search` result shape; the model (if given) embeds queries here.
 * - `{ model, collection, remote: { url, tier: 'merge' } }`: tiered, the local collection as a hot
 *   set searched together with the remote one, hits merged by cosine score.
 *
 * The remote collection's fingerprint is checked when it opens (`MODEL_MISMATCH` for another
 * model's vectors).
 *
 * @example
 * ```ts
 * const docs = await open({ model: 'Xenova/all-MiniLM-L6-v2', collection: 'docs' });
 * await docs.add([{ id: 'a', text: 'Cats purr when content.' }]);
 * const { hits } = await docs.search('why do cats purr');
 *
 * const archive = await open({ remote: 'https://search.example.com/collections/docs', apiKey, model: 'Xenova/all-MiniLM-L6-v2' });
 * const tiered = await open({ model: 'Xenova/all-MiniLM-L6-v2', collection: 'recent', remote: { url: archive.url, apiKey } });
 * ```
 */
export function open(
  options: OpenOptions & { readonly remote: string | RemoteTier },
): Promise<OpenedTieredCollection>;
export function open(options: OpenOptions): Promise<OpenedCollection>;
export function open(options: OpenRemoteOptions): Promise<OpenedRemoteCollection>;
export async function open(
  options: OpenOptions | OpenRemoteOptions,
): Promise<OpenedCollection | OpenedRemoteCollection> {
  if (typeof options !== 'object' || options === null) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      'open needs an options object: { model, collection } and/or { remote }',
    );
  }
  if (options.collection === undefined) {
    if (options.remote === undefined) {
      throw new WebEmbedError(
        'INVALID_ARGUMENT',
        'open needs a collection name (local), a remote URL, or both (tiered)',
      );
    }
    return openRemote(options as OpenRemoteOptions);
  }
  const { collection: name, remote, ...engineOptions } = options as OpenOptions;
  if (typeof name !== 'string' || name === '') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `collection must be a non-empty name, got ${JSON.stringify(name)}`,
    );
  }
  const tier = remote === undefined ? undefined : (normalizeEndpoint(remote) as RemoteTier);
  if (tier && tier.tier !== undefined && tier.tier !== 'merge') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `remote.tier must be 'merge', got ${JSON.stringify(tier.tier)}`,
    );
  }
  const policy = tier?.whenRemoteFails ?? 'throw';
  if (policy !== 'throw' && policy !== 'local') {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `remote.whenRemoteFails must be 'throw' or 'local', got ${JSON.stringify(policy)}`,
    );
  }
  const client = tier ? createRemoteClient(tier) : null;
  const engine = await createEngine(engineOptions);
  try {
    const handle = await engine.collection(name);
    const close = () => engine.dispose();
    const { info } = engine;
    if (!client) return { ...handle, engine, info, close };
    const remoteHandle = remoteCollection(client, engine);
    await checkRemoteModel(remoteHandle, engine.info.fingerprint, policy);
    return { ...tieredCollection(handle, remoteHandle, engine, policy), engine, info, close };
  } catch (err) {
    await engine.dispose();
    throw err;
  }
}

async function openRemote(options: OpenRemoteOptions): Promise<OpenedRemoteCollection> {
  const { remote, apiKey, collection: _none, ...engineOptions } = options;
  const client = createRemoteClient(normalizeEndpoint(remote, apiKey));
  const engine =
    engineOptions.model === undefined ? null : await createEngine(engineOptions as CreateEngineOptions);
  try {
    const handle = remoteCollection(client, engine);
    await checkRemoteModel(handle, engine ? engine.info.fingerprint : null);
    return { ...handle, engine, close: async () => engine?.dispose() };
  } catch (err) {
    await engine?.dispose();
    throw err;
  }
}

/**
 * Starting the engine's module worker, and knowing within bounded time when that failed. A module
 * worker whose script answers 404, or a dev server's HTML page, or a script that throws, only
 * fires an `error` event without a message; and a comlink call to a worker that never started
 * waits forever. So the main thread pings the worker, the worker answers once its script runs
 * (comlink ignores both messages), and start-up fails with a coded error on the worker's `error`
 * event or when no answer comes within the start timeout. The failing URL is fetched once to say
 * what the server answered.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** Sent by the main thread to ask whether the worker's script is running. */
export const WORKER_PING = 'webembed:engine-worker-ping';
/** The worker's answer to {@link WORKER_PING}. */
export const WORKER_READY = 'webembed:engine-worker-ready';
/** How long a started worker may take to answer the ping, in ms (`startTimeoutMs`). */
export const DEFAULT_START_TIMEOUT_MS = 30_000;

/** The message-port surface of a worker global scope that {@link answerPings} needs. */
export interface PingScope {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  postMessage(message: unknown): void;
}

/** Worker side: answers every ping (call at the top level of the worker entry). */
export function answerPings(scope: PingScope): void {
  scope.addEventListener('message', (event) => {
    const data = event.data as { type?: unknown } | null;
    if (data && data.type === WORKER_PING) scope.postMessage({ type: WORKER_READY });
  });
}

/** A worker plus the URL of its script, when known. */
export interface StartedWorker {
  readonly worker: Worker;
  /** The script URL (as the bundler rewrote it), or `null` for a worker the caller created. */
  readonly url: string | null;
}

/**
 * Starts `@webembed/engine`'s own worker. The `new Worker(new URL('./worker.js', import.meta.url))`
 * form is what Vite, webpack 5 and Rollup plugins look for to bundle the worker; the URL they
 * produce exists only inside that expression, so the global `Worker` is watched during this one
 * synchronous call to learn it (for error messages).
 */
export function startEngineWorker(): StartedWorker {
  const native = globalThis.Worker;
  let url: string | null = null;
  const watching = class extends native {
    constructor(scriptUrl: string | URL, options?: WorkerOptions) {
      url = String(scriptUrl);
      super(scriptUrl, options);
    }
  };
  let swapped = false;
  try {
    globalThis.Worker = watching;
    swapped = globalThis.Worker === watching;
  } catch {
    // A frozen global: start the worker without learning its URL.
  }
  try {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      type: 'module',
      name: 'webembed-engine',
    });
    return { worker, url };
  } finally {
    if (swapped) globalThis.Worker = native;
  }
}

/** Starts a module worker from a URL the caller gave (`createEngine({ worker: url })`). */
export function startWorkerAt(url: string | URL): StartedWorker {
  const href = String(url);
  return { worker: new Worker(url, { type: 'module', name: 'webembed-engine' }), url: href };
}

function describeWorker(url: string | null): string {
  return url === null ? 'the engine worker passed to createEngine' : `the engine worker ${url}`;
}

/** Fetches `url` once and says in words what the server answered, or `null` when it looks right. */
async function whatServerAnswered(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const type = response.headers.get('content-type') ?? '';
    void response.body?.cancel();
    if (!response.ok) return `answered ${response.status} ${response.statusText}`.trim();
    if (/text\/html/i.test(type)) {
      return `was served as ${type}: a web page, not the worker script (a missing file answered by the server's fallback page?)`;
    }
    if (!/javascript|ecmascript/i.test(type)) {
      return `was served as ${type || 'no content type'}, not JavaScript`;
    }
    return null;
  } catch (err) {
    return `could not be fetched (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** The message of an `ErrorEvent` (a script that threw), or `null` for a plain `error` Event. */
function thrownMessage(event: Event): string | null {
  const message = (event as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message : null;
}

async function loadFailure(url: string | null, event: Event): Promise<WebEmbedError> {
  const thrown = thrownMessage(event);
  let cause: string;
  if (thrown) cause = `threw while loading: ${thrown}`;
  else if (url === null) cause = 'failed to load';
  else {
    cause =
      (await whatServerAnswered(url)) ??
      'failed to load as a module worker (a syntax error, or a module it imports failed to load; the browser console has the details)';
  }
  return new WebEmbedError(
    'WORKER_LOAD_FAILED',
    `${describeWorker(url)} ${cause}. Bundlers emit it from @webembed/engine's dist/worker.js; check that the app serves it.`,
    { url },
  );
}

/** Start-up of one worker: `ready` settles once; `failure` rejects on any later `error` event. */
export interface WorkerStartWatch {
  /** Resolves when the worker answered the ping; rejects with WORKER_LOAD_FAILED or WORKER_START_TIMEOUT. */
  readonly ready: Promise<void>;
  /** Rejects (WORKER_LOAD_FAILED) when the worker reports an uncaught error before {@link stop}. */
  readonly failure: Promise<never>;
  /** Stops listening (after start-up). */
  stop(): void;
}

/** Pings `worker` and watches it until {@link WorkerStartWatch.stop}. */
export function watchWorkerStart(
  started: StartedWorker,
  timeoutMs: number = DEFAULT_START_TIMEOUT_MS,
): WorkerStartWatch {
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `startTimeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`,
    );
  }
  const { worker, url } = started;
  let isReady = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  let rejectFailure!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const failure = new Promise<never>((_, reject) => {
    rejectFailure = reject;
  });
  // Either may be left unobserved (start-up failed first, or nothing failed); never report that.
  ready.catch(() => {});
  failure.catch(() => {});

  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown } | null;
    if (isReady || !data || data.type !== WORKER_READY) return;
    isReady = true;
    clearTimeout(timer);
    resolveReady();
  };
  const onError = (event: Event) => {
    // Handled here (it becomes the rejection): keep it from also surfacing as the page's error.
    event.preventDefault();
    clearTimeout(timer);
    if (!isReady) {
      void loadFailure(url, event).then((err) => {
        rejectReady(err);
        rejectFailure(err);
      });
      return;
    }
    const message = thrownMessage(event) ?? 'an uncaught error';
    rejectFailure(
      new WebEmbedError(
        'WORKER_LOAD_FAILED',
        `${describeWorker(url)} failed while starting the engine: ${message}`,
        { url },
      ),
    );
  };
  const onMessageError = () => {
    rejectFailure(
      new WebEmbedError(
        'WORKER_LOAD_FAILED',
        `${describeWorker(url)} sent a message that could not be deserialized`,
        { url },
      ),
    );
  };
  worker.addEventListener('message', onMessage);
  worker.addEventListener('error', onError);
  worker.addEventListener('messageerror', onMessageError);
  timer = setTimeout(() => {
    const err = new WebEmbedError(
      'WORKER_START_TIMEOUT',
      `${describeWorker(url)} did not answer within ${timeoutMs} ms: its script loaded but is not running the engine (is it @webembed/engine's worker?), or it is still loading on a very slow connection (raise startTimeoutMs)`,
      { url, timeoutMs },
    );
    rejectReady(err);
    rejectFailure(err);
  }, timeoutMs);
  worker.postMessage({ type: WORKER_PING });

  return {
    ready,
    failure,
    stop() {
      clearTimeout(timer);
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      worker.removeEventListener('messageerror', onMessageError);
    },
  };
}

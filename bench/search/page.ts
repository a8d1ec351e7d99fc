/**
 * The page half of `pnpm bench search`: starts the benchmark's module worker and forwards one
 * size at a time to it (the timing itself happens in the worker, where the engine runs).
 *
 * @module
 */
import type { SearchBenchConfig, SearchBenchResult } from './worker.js';

const worker = new Worker('/worker.js', { type: 'module' });
const pending = new Map<number, { resolve: (r: SearchBenchResult) => void; reject: (e: Error) => void }>();
let nextId = 1;

worker.onmessage = (event: MessageEvent) => {
  const data = event.data as {
    id?: number;
    result?: SearchBenchResult;
    error?: string;
    log?: string;
    ready?: boolean;
  };
  if (data.log !== undefined) console.log(`bench ${data.log}`);
  if (data.ready) (globalThis as { searchBenchReady?: boolean }).searchBenchReady = true;
  if (data.id === undefined) return;
  const call = pending.get(data.id);
  pending.delete(data.id);
  if (data.error !== undefined) call?.reject(new Error(data.error));
  else call?.resolve(data.result as SearchBenchResult);
};
worker.onerror = (event) => console.log(`bench worker error: ${event.message}`);

(globalThis as { runSearchBench?: unknown }).runSearchBench = (config: SearchBenchConfig) =>
  new Promise<SearchBenchResult>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, config });
  });

/**
 * The module-worker half of `pnpm bench search` (bundled by bench/search.ts): runs one size at a
 * time (bench/search/run-size.ts) on request and posts back its result and progress lines.
 *
 * @module
 */
import { type SearchBenchConfig, runSize } from './run-size.js';

export type { SearchBenchConfig, SearchBenchLine, SearchBenchResult } from './run-size.js';

self.onmessage = async (event: MessageEvent<{ id: number; config: SearchBenchConfig }>) => {
  const { id, config } = event.data;
  try {
    postMessage({ id, result: await runSize(config, (message) => postMessage({ log: message })) });
  } catch (err) {
    postMessage({
      id,
      error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err),
    });
  }
};
postMessage({ ready: true });

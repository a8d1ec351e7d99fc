/**
 * Progress on stderr: a cli-progress bar with ETA on a terminal, a plain line every few seconds
 * otherwise (CI logs).
 *
 * @module
 */
import cliProgress from 'cli-progress';
import type { ProgressReporter } from './indexer.js';

/** A reporter writing to `stream` (usually `process.stderr`). */
export function createProgressReporter(stream: NodeJS.WriteStream): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          'embedding |{bar}| {percentage}% | {value}/{total} chunks | {speed} chunks/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let startedAt = 0;
    let value = 0;
    return {
      start(total) {
        startedAt = performance.now();
        bar.start(total, 0, { speed: '0' });
      },
      increment(n) {
        value += n;
        const seconds = (performance.now() - startedAt) / 1000;
        bar.update(value, { speed: seconds > 0 ? (value / seconds).toFixed(1) : '0' });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let total = 0;
  let value = 0;
  let lastLine = 0;
  let startedAt = 0;
  return {
    start(n) {
      total = n;
      startedAt = performance.now();
      lastLine = startedAt;
    },
    increment(n) {
      value += n;
      const now = performance.now();
      if (now - lastLine < 2000 && value < total) return;
      lastLine = now;
      const rate = value / Math.max((now - startedAt) / 1000, 1e-3);
      const eta = rate > 0 ? Math.round((total - value) / rate) : 0;
      stream.write(`embedded ${value}/${total} chunks (${rate.toFixed(1)}/s, ETA ${eta}s)\n`);
    },
    stop() {},
  };
}

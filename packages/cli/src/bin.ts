#!/usr/bin/env node
/**
 * Entry point of the `webembed` command. From the repository root: `pnpm webembed index ./docs
 * --model <id> --out docs.webembed`.
 *
 * @module
 */
import { runCli } from './run.js';

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals++;
  if (signals > 1) process.exit(130); // a second Ctrl-C stops at once
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);

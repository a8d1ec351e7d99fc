/**
 * The `webembed` program: parses arguments, runs the command, prints a summary, and maps the
 * outcome to an exit code (see {@link EXIT}).
 *
 * @module
 */
import { isWebEmbedError } from '@webembed/core';
import { INDEX_HELP, MAIN_HELP, parseCommandLine } from './args.js';
import { type IndexSummary, indexFolder } from './indexer.js';
import { journalPathFor } from './journal.js';
import { createProgressReporter } from './progress.js';
import { type PostgresSummary, writeFileToPostgres } from './to-postgres.js';

/** Exit codes of the `webembed` program. */
export const EXIT = {
  /** Every input was indexed. */
  ok: 0,
  /** Failure: model, I/O, nothing to index, ... */
  failure: 1,
  /** Bad command line (or options that do not fit the model or the journal). */
  usage: 2,
  /** The output was written, but some inputs were skipped. */
  partial: 3,
  /** Interrupted by SIGINT/SIGTERM; the journal is kept for `--resume`. */
  interrupted: 130,
} as const;

/** Where the program writes, and what it reads from its environment. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

const VERSION = '0.1.0';

function formatSummary(s: IndexSummary): string {
  const lines = [
    `wrote ${s.chunks} chunks from ${s.documents} documents (${s.files} files) to ${s.out} (${s.bytes} bytes) in ${s.seconds.toFixed(1)} s`,
    `model ${s.fingerprint.modelId} (${s.fingerprint.dtype}, ${s.fingerprint.dims} dims); ${s.docsPerSecond.toFixed(1)} documents/s embedded` +
      (s.resumedDocuments > 0 ? `; ${s.resumedDocuments} documents resumed from the journal` : ''),
  ];
  if (s.skipped.length > 0) {
    lines.push(`skipped ${s.skipped.length} inputs:`);
    for (const k of s.skipped) {
      const where = k.line !== undefined ? `:${k.line}` : k.entry !== undefined ? `[${k.entry}]` : '';
      lines.push(`  ${k.path}${where}: ${k.reason}`);
    }
  }
  return lines.join('\n');
}

/**
 * Runs `webembed` with `argv` (without node and script paths) and returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const err = (line: string) => io.stderr.write(`${line}\n`);
  let request: ReturnType<typeof parseCommandLine>;
  try {
    request = parseCommandLine(argv, io.env.WEBEMBED_MODELS_DIR);
  } catch (cause) {
    const hint = argv[0] === 'index' ? 'Run "webembed index --help" for the options.' : MAIN_HELP;
    err(`webembed: ${cause instanceof Error ? cause.message : String(cause)}\n\n${hint}`);
    return EXIT.usage;
  }
  if (request.command === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (request.command === 'help') {
    io.stdout.write(`${request.topic === 'index' ? INDEX_HELP : MAIN_HELP}\n`);
    return EXIT.ok;
  }
  const throttle = Number(io.env.WEBEMBED_CLI_THROTTLE_MS ?? 0);
  try {
    const summary = await indexFolder(request, {
      log: (line) => err(`webembed: ${line}`),
      progress: createProgressReporter(io.stderr),
      signal: io.signal,
      throttleMs: Number.isFinite(throttle) && throttle > 0 ? throttle : 0,
    });
    let postgres: PostgresSummary | undefined;
    if (request.to) {
      postgres = await writeFileToPostgres(summary.out, request.to, (line) => err(`webembed: ${line}`));
    }
    if (request.json) io.stdout.write(`${JSON.stringify(postgres ? { ...summary, postgres } : summary)}\n`);
    else io.stdout.write(`${formatSummary(summary)}\n`);
    if (postgres && !request.json) {
      io.stdout.write(
        `loaded ${postgres.rowsWritten} rows (${postgres.rowsSkipped} already there) into Postgres collection "${postgres.collection}" at ${postgres.target} in ${postgres.seconds.toFixed(1)} s\n`,
      );
    }
    return summary.skipped.length > 0 ? EXIT.partial : EXIT.ok;
  } catch (cause) {
    if (isWebEmbedError(cause, 'ABORTED')) {
      err(
        `webembed: interrupted; finished documents are kept in ${journalPathFor(request.out)}, rerun with --resume`,
      );
      return EXIT.interrupted;
    }
    const message = cause instanceof Error ? cause.message : String(cause);
    const code = isWebEmbedError(cause) ? ` [${cause.code}]` : '';
    err(`webembed: ${message}${code}`);
    if (isWebEmbedError(cause, 'INVALID_ARGUMENT') || isWebEmbedError(cause, 'MODEL_MISMATCH'))
      return EXIT.usage;
    return EXIT.failure;
  }
}

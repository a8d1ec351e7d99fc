/**
 * `@webembed/cli`: a Node command line that builds a webembed index from a folder of documents at
 * build time, for browsers to import. The same functions are usable from Node scripts.
 *
 * @example
 * ```ts
 * import { indexFolder, parseCommandLine } from '@webembed/cli';
 * const command = parseCommandLine(['index', 'docs', '--model', 'Xenova/multilingual-e5-small', '--out', 'docs.webembed']);
 * if (command.command === 'index') console.log(await indexFolder(command));
 * ```
 *
 * @module
 */
export { INDEX_HELP, MAIN_HELP, parseCommandLine } from './args.js';
export type { CliRequest, IndexCommand } from './args.js';
export { readDocuments } from './documents.js';
export type { ReadResult, SkippedInput, SourceDocument } from './documents.js';
export { JOURNAL_VERSION, journalPathFor, openJournal, readJournal, removeJournal } from './journal.js';
export type {
  EmbeddedChunk,
  IgnoredJournalLine,
  JournalContents,
  JournalHeader,
  JournalWriter,
} from './journal.js';
export { checkOutputPath } from './output.js';
export { indexFolder } from './indexer.js';
export type { IndexHooks, IndexSummary, ProgressReporter } from './indexer.js';
export { createProgressReporter } from './progress.js';
export { EXIT, runCli } from './run.js';
export { isPostgresUrl, writeFileToPostgres } from './to-postgres.js';
export type { PostgresSummary } from './to-postgres.js';
export type { CliIo } from './run.js';

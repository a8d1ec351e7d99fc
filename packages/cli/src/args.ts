/**
 * Command-line parsing for `webembed`: turns argv into a validated {@link IndexCommand}, or says
 * what was wrong (a `WebEmbedError` with code `INVALID_ARGUMENT`, exit code 2).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { WebEmbedError } from '@webembed/core';
import type { VectorKind } from '@webembed/store';

/** Everything `webembed index` needs. */
export interface IndexCommand {
  readonly command: 'index';
  /** Folder to read documents from. */
  readonly folder: string;
  /** Model id, e.g. `Xenova/multilingual-e5-small` or `webembed-fixtures/mini-bert`. */
  readonly model: string;
  /** Output `.webembed` file (a store collection file). */
  readonly out: string;
  /** Weights dtype. Default `q8`. */
  readonly dtype: 'fp32' | 'fp16' | 'q8' | 'q4';
  /** Most tokens a chunk (default: the model's window). */
  readonly chunkTokens: number | null;
  /** Tokens shared by neighbouring chunks. Default 0. */
  readonly overlap: number;
  /** Folder holding `<org>/<model>/`. Default `$WEBEMBED_MODELS_DIR` or `./models`. */
  readonly modelsDir: string;
  /** Continue an interrupted run from its journal. */
  readonly resume: boolean;
  /** Collection name stored in the file. Default: the output file name without extension. */
  readonly name: string | null;
  /** Vector forms written. Default: all three (`float32,int8,binary`), as the engine's collections keep. */
  readonly kinds: readonly VectorKind[];
  /** Chunks a model call. Default 32. */
  readonly batchSize: number;
  /** Print the summary as JSON on stdout. */
  readonly json: boolean;
  /** Postgres connection string to load the written file into (`--to`), or null. */
  readonly to?: string | null;
}

/** What the command line asked for. */
export type CliRequest =
  | IndexCommand
  | { readonly command: 'help'; readonly topic: 'main' | 'index' }
  | {
      readonly command: 'version';
    };

/** `webembed --help`. */
export const MAIN_HELP = `webembed: build a webembed vector index from a folder of documents, for browsers to import.

Usage:
  webembed index <folder> --model <id> --out <file.webembed> [options]
  webembed --help | --version

Commands:
  index   Read .txt/.md/.json/.jsonl files, chunk, embed in Node, write a collection file.

Run "webembed index --help" for the options.`;

/** `webembed index --help`. */
export const INDEX_HELP = `Usage: webembed index <folder> --model <id> --out <file.webembed> [options]

Reads every .txt, .md, .json and .jsonl file under <folder> (hidden folders and node_modules are
skipped). JSON files hold an array of strings or of { id?, text, metadata? }; JSONL files one such
value a line. Texts are split into chunks that fit the model, embedded with the same engine code
the browser runs, and written as a store collection file that the browser imports into IndexedDB.

Options:
  --model <id>          Model id (a preset, or a folder <org>/<name> under --models-dir). Required.
  --out <file>          Output file. Written to a temporary file and renamed when complete. Required.
  --dtype <d>           Weights: fp32, fp16, q8 (default) or q4.
  --chunk-tokens <n>    Most tokens a chunk, special tokens included (default: the model window).
  --overlap <n>         Tokens shared by neighbouring chunks (default 0).
  --models-dir <dir>    Folder holding <org>/<name>/ model files (default $WEBEMBED_MODELS_DIR or ./models).
  --resume              Continue an interrupted run from <out>.journal (same model and chunk options).
  --name <name>         Collection name stored in the file (default: output file name).
  --kinds <list>        Vector forms to store: float32,int8,binary (default: all three, like engine collections).
  --batch-size <n>      Chunks per model call (default 32).
  --json                Print the summary as JSON on stdout.
  --to <postgres-url>   Also load the written file into Postgres with pgvector (postgres://...);
                        the collection is named like the file (--name). Rerunning resumes.
  -h, --help            Show this help.

Exit codes:
  0  every input was indexed          3  output written, but some inputs were skipped (see summary)
  1  failure (model, I/O, ...)        2  bad command line
  130  interrupted (journal kept: rerun with --resume)`;

const DTYPES = ['fp32', 'fp16', 'q8', 'q4'] as const;
const KINDS: readonly VectorKind[] = ['float32', 'int8', 'binary'];

function usage(message: string): WebEmbedError {
  return new WebEmbedError('INVALID_ARGUMENT', message);
}

function intOption(value: string | undefined, flag: string, min: number): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw usage(`${flag} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

/**
 * Parses `webembed` arguments (without the node and script paths).
 *
 * @example
 * ```ts
 * parseCommandLine(['index', 'docs', '--model', 'webembed-fixtures/mini-bert', '--out', 'docs.webembed']);
 * ```
 */
export function parseCommandLine(argv: readonly string[], envModelsDir?: string): CliRequest {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(argv);
  } catch (cause) {
    throw usage(cause instanceof Error ? cause.message : String(cause));
  }
  const { values, positionals } = parsed;
  if (values.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) {
    if (values.help) return { command: 'help', topic: 'main' };
    throw usage('missing command; expected "webembed index <folder> --model <id> --out <file>"');
  }
  if (command !== 'index') throw usage(`unknown command "${command}"; the only command is "index"`);
  if (values.help) return { command: 'help', topic: 'index' };
  if (rest.length !== 1) {
    throw usage(
      `"webembed index" takes exactly one folder, got ${rest.length === 0 ? 'none' : rest.join(', ')}`,
    );
  }
  if (!values.model) throw usage('--model <id> is required');
  if (!values.out) throw usage('--out <file.webembed> is required');
  const dtype = values.dtype ?? 'q8';
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw usage(`--dtype must be one of ${DTYPES.join(', ')}, got "${dtype}"`);
  }
  const chunkTokens = intOption(values['chunk-tokens'], '--chunk-tokens', 2);
  const overlap = intOption(values.overlap, '--overlap', 0) ?? 0;
  if (chunkTokens !== null && overlap >= chunkTokens) {
    throw usage(`--overlap (${overlap}) must be smaller than --chunk-tokens (${chunkTokens})`);
  }
  const kinds = (values.kinds ?? 'float32,int8,binary').split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(KINDS as readonly string[]).includes(k)) {
      throw usage(`--kinds takes a comma list of ${KINDS.join(', ')}, got "${k}"`);
    }
  }
  return {
    command: 'index',
    folder: rest[0],
    model: values.model,
    out: values.out,
    dtype: dtype as IndexCommand['dtype'],
    chunkTokens,
    overlap,
    modelsDir: values['models-dir'] ?? envModelsDir ?? 'models',
    resume: values.resume ?? false,
    name: values.name ?? null,
    kinds: [...new Set(kinds)] as VectorKind[],
    batchSize: intOption(values['batch-size'], '--batch-size', 1) ?? 32,
    json: values.json ?? false,
    to: postgresTarget(values.to),
  };
}

function postgresTarget(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^postgres(ql)?:\/\/./i.test(value)) {
    throw usage(`--to takes a Postgres connection string (postgres://user@host:5432/db), got "${value}"`);
  }
  return value;
}

function parseWith(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string' },
      'chunk-tokens': { type: 'string' },
      overlap: { type: 'string' },
      'models-dir': { type: 'string' },
      resume: { type: 'boolean' },
      name: { type: 'string' },
      kinds: { type: 'string' },
      'batch-size': { type: 'string' },
      json: { type: 'boolean' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

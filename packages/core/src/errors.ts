/**
 * One error family for the whole project. Every bad input, storage fault or GPU fault
 * surfaces as a {@link WebEmbedError} whose `code` says what went wrong, so callers can
 * branch on `err.code` instead of parsing messages.
 *
 * @module
 */

/**
 * Every error code the project throws. Grouped by the layer that raises them.
 */
export type WebEmbedErrorCode =
  // vector math and search (core, gpu)
  | 'DIMENSION_MISMATCH'
  | 'NOT_FINITE'
  | 'ZERO_VECTOR'
  | 'INVALID_K'
  | 'EMPTY_CORPUS'
  | 'MISALIGNED_BUFFER'
  | 'INVALID_ARGUMENT'
  // models and text (engine)
  | 'MODEL_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'EMPTY_TEXT'
  | 'TEXT_TOO_LONG'
  | 'NOT_A_STRING'
  | 'EMPTY_BATCH'
  | 'ABORTED'
  // engine start-up (engine): the worker script, the ONNX runtime files
  | 'WORKER_LOAD_FAILED'
  | 'WORKER_START_TIMEOUT'
  | 'MODEL_LOAD_TIMEOUT'
  | 'RUNTIME_LOAD_FAILED'
  // storage (store)
  | 'DB_CLOSED'
  | 'QUOTA_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CORRUPT_FILE'
  | 'UNSUPPORTED_FORMAT'
  | 'TRANSACTION_FAILED'
  // GPU (gpu)
  | 'GPU_UNAVAILABLE'
  | 'GPU_DEVICE_LOST'
  | 'GPU_OUT_OF_MEMORY'
  | 'GPU_VALIDATION'
  // network / remote collections
  | 'REMOTE_FAILED';

/** Structured context attached to an error (expected vs actual sizes, offending index, ...). */
export type WebEmbedErrorDetails = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * The project's error class. `code` is stable and meant for programs; `message` is for people
 * and names what was wrong and what was expected.
 *
 * @example
 * ```ts
 * try { search(query, corpus, { k: 10 }); }
 * catch (err) { if (isWebEmbedError(err, 'DIMENSION_MISMATCH')) console.warn(err.details); }
 * ```
 */
export class WebEmbedError extends Error {
  /** Machine-readable cause. */
  readonly code: WebEmbedErrorCode;
  /** Optional structured context (expected/actual values, index of the bad element, ...). */
  readonly details: WebEmbedErrorDetails | undefined;

  constructor(
    code: WebEmbedErrorCode,
    message: string,
    details?: WebEmbedErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WebEmbedError';
    this.code = code;
    this.details = details;
  }
}

/**
 * Type guard for {@link WebEmbedError}, optionally narrowed to one code. Works across worker
 * boundaries too, where the prototype is lost but `name` and `code` survive serialization.
 */
export function isWebEmbedError(err: unknown, code?: WebEmbedErrorCode): err is WebEmbedError {
  if (typeof err !== 'object' || err === null) return false;
  const candidate = err as { name?: unknown; code?: unknown };
  if (!(err instanceof WebEmbedError) && candidate.name !== 'WebEmbedError') return false;
  return code === undefined || candidate.code === code;
}

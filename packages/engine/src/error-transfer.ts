/**
 * Makes `WebEmbedError` survive the worker boundary. comlink's built-in "throw" handler keeps only
 * name, message and stack; this one also carries `code` and `details` and rebuilds a real
 * `WebEmbedError` on the other side. Both sides must call {@link registerErrorTransfer}.
 *
 * @module
 */
import { WebEmbedError, type WebEmbedErrorCode, type WebEmbedErrorDetails } from '@webembed/core';
import { type TransferHandler, transferHandlers } from 'comlink';

/** An error as it crosses the boundary. */
export interface SerializedError {
  readonly isError: boolean;
  readonly value: unknown;
  readonly error?: {
    readonly name: string;
    readonly message: string;
    readonly stack?: string;
    readonly code?: WebEmbedErrorCode;
    readonly details?: WebEmbedErrorDetails;
  };
}

/** Plain-object form of an error (code and details kept for WebEmbedError). */
export function serializeError(value: unknown): SerializedError {
  if (!(value instanceof Error)) return { isError: false, value };
  const code = (value as { code?: unknown }).code;
  const isOurs = value instanceof WebEmbedError || value.name === 'WebEmbedError';
  return {
    isError: true,
    value: undefined,
    error: {
      name: value.name,
      message: value.message,
      stack: value.stack,
      code: isOurs && typeof code === 'string' ? (code as WebEmbedErrorCode) : undefined,
      details: isOurs ? (value as WebEmbedError).details : undefined,
    },
  };
}

/** Rebuilds the error: a `WebEmbedError` when it had a code, else a plain `Error`. */
export function deserializeError(serialized: SerializedError): unknown {
  if (!serialized.isError || !serialized.error) return serialized.value;
  const { name, message, stack, code, details } = serialized.error;
  const err = code ? new WebEmbedError(code, message, details) : Object.assign(new Error(message), { name });
  if (stack) err.stack = stack;
  return err;
}

let registered = false;

/** Replaces comlink's "throw" handler (idempotent). */
export function registerErrorTransfer(): void {
  if (registered) return;
  const builtIn = transferHandlers.get('throw');
  if (!builtIn) return;
  const handler: TransferHandler<{ value: unknown }, SerializedError> = {
    canHandle: (value): value is { value: unknown } => builtIn.canHandle(value),
    serialize: ({ value }) => [serializeError(value), []],
    deserialize: (serialized) => {
      throw deserializeError(serialized);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  registered = true;
}

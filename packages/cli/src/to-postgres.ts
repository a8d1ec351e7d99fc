/**
 * `webembed index ... --to postgres://...`: after the collection file is written, load it into
 * Postgres with pgvector through `@webembed/pgvector` (loaded only when the flag is used).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { WebEmbedError, isWebEmbedError } from '@webembed/core';

/** What loading into Postgres did. */
export interface PostgresSummary {
  /** The connection string with any password masked. */
  readonly target: string;
  readonly collection: string;
  readonly rowsWritten: number;
  readonly rowsSkipped: number;
  readonly indexesCreated: readonly string[];
  readonly seconds: number;
}

/** True for a `postgres://` or `postgresql://` connection string. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\/./i.test(value);
}

/**
 * Loads the collection file at `file` into the Postgres database at `connectionString`
 * (creating the pgvector extension, catalog and table when missing; resumable; binary HNSW
 * index). Throws the loader's WebEmbedErrors, or `INVALID_ARGUMENT` for a target that is not a
 * Postgres URL.
 *
 * @example
 * ```ts
 * const loaded = await writeFileToPostgres('docs.webembed', 'postgres://localhost/app');
 * console.log(`${loaded.rowsWritten} rows into ${loaded.collection}`);
 * ```
 */
export async function writeFileToPostgres(
  file: string,
  connectionString: string,
  onProgress?: (line: string) => void,
): Promise<PostgresSummary> {
  if (!isPostgresUrl(connectionString)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `--to takes a Postgres connection string (postgres://user@host:5432/db), got "${connectionString}"`,
    );
  }
  const { redact, writeCollectionToPostgres } = await import('@webembed/pgvector');
  const target = redact(connectionString);
  const started = performance.now();
  const bytes = new Uint8Array(await readFile(file));
  let lastPhase = '';
  let result: Awaited<ReturnType<typeof writeCollectionToPostgres>>;
  try {
    result = await writeCollectionToPostgres(bytes, connectionString, {
      onProgress: (p) => {
        const line =
          p.phase === 'rows'
            ? `postgres: ${p.rowsDone}/${p.total ?? '?'} rows`
            : p.phase === 'index'
              ? `postgres: building index ${p.index ?? ''}`.trimEnd()
              : 'postgres: done';
        if (p.phase !== 'rows' && line === lastPhase) return;
        lastPhase = line;
        onProgress?.(line);
      },
    });
  } catch (err) {
    // The file is complete either way: say so, keep the loader's code (connection errors from
    // the driver become REMOTE_FAILED).
    const message = err instanceof Error ? err.message : String(err);
    throw new WebEmbedError(
      isWebEmbedError(err) ? err.code : 'REMOTE_FAILED',
      `${file} was written, but loading it into Postgres at ${target} failed: ${message}; rerun with the same --to to resume`,
      isWebEmbedError(err) ? err.details : { target },
      { cause: err },
    );
  }
  return {
    target,
    collection: result.collection,
    rowsWritten: result.rowsWritten,
    rowsSkipped: result.rowsSkipped,
    indexesCreated: result.indexesCreated,
    seconds: (performance.now() - started) / 1000,
  };
}

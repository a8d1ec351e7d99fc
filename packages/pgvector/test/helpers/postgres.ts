/**
 * Test Postgres: PGlite with pgvector served on 127.0.0.1 over the Postgres wire protocol
 * (@electric-sql/pglite-socket), reached with the ordinary `pg` client, so the code under test
 * talks to it exactly as to a real server. With WEBEMBED_PG_URL set, the same suites also run
 * against that external server.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running Postgres for one test file. */
export interface TestPostgres {
  readonly url: string;
  readonly kind: 'pglite' | 'external';
  stop(): Promise<void>;
  /**
   * PGlite only: closes the socket server and every connection to it, as a crashed or stopped
   * Postgres would (open transactions roll back, the data stays).
   */
  down(): Promise<void>;
  /** PGlite only: listens again on the same port after {@link TestPostgres.down}, like a restarted Postgres. */
  up(): Promise<void>;
}

/** The Postgres targets a suite runs against: PGlite always, the external server when configured. */
export const targets: readonly { kind: 'pglite' | 'external'; url: string | undefined }[] = [
  { kind: 'pglite', url: undefined },
  { kind: 'external', url: process.env.WEBEMBED_PG_URL },
];

if (!process.env.WEBEMBED_PG_URL) {
  console.info(
    '[pgvector tests] external Postgres suites skipped: set WEBEMBED_PG_URL=postgres://... to run them',
  );
}

/** Null when the suite can run against `target`, else why it is skipped (no external server named). */
export function externalMissing(target: {
  kind: 'pglite' | 'external';
  url: string | undefined;
}): string | null {
  return target.kind === 'external' && !target.url
    ? 'needs an external Postgres with pgvector: set WEBEMBED_PG_URL=postgres://... (PGlite runs the same suite)'
    : null;
}

/** Starts PGlite + pgvector behind a socket server on a free 127.0.0.1 port, or wraps the external URL. */
export async function startPostgres(target: {
  kind: 'pglite' | 'external';
  url: string | undefined;
}): Promise<TestPostgres> {
  if (target.kind === 'external') {
    if (!target.url) throw new Error('external target without WEBEMBED_PG_URL');
    const unsupported = async () => {
      throw new Error('only the PGlite target can be stopped and restarted by the tests');
    };
    return {
      url: target.url,
      kind: 'external',
      stop: async () => undefined,
      down: unsupported,
      up: unsupported,
    };
  }
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    kind: 'pglite',
    stop: async () => {
      await server.stop();
      await db.close();
    },
    // stop() keeps the port it was given by the OS, so start() listens on it again.
    down: () => server.stop(),
    up: () => server.start(),
  };
}

/** A collection name unique to this run, so suites can share an external database. */
export function uniqueName(base: string): string {
  return `${base}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

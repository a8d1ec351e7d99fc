import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { isWebEmbedError } from '@webembed/core';
import { env, open } from '@webembed/engine';
import { createSearchService, dropCollection } from '@webembed/pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, parseCommandLine, runCli } from '../src/index.js';
import { sink } from './output-sink.js';

// `webembed index ... --to postgres://...` end to end: PGlite with pgvector served over the
// Postgres wire protocol, the CLI loads the file it wrote, the pgvector search service serves
// it, and the engine's remote collection finds documents through the service (and is refused
// for another model).
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const modelsDir = join(repo, '.fixtures', 'models');
const MODEL = 'webembed-fixtures/crosslingual-bert';
const API_KEY = 'cli-test-key';

interface Example {
  en: string;
  fr: string;
  de: string;
}
const { examples } = JSON.parse(
  readFileSync(join(repo, 'packages', 'engine', 'fixtures', 'crosslingual-concepts.json'), 'utf8'),
) as { examples: Example[] };

let work: string;
let db: PGlite;
let socket: PGLiteSocketServer;
let url: string;
let app: ReturnType<typeof createSearchService> | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'webembed-cli-pg-'));
  mkdirSync(join(work, 'docs'));
  writeFileSync(
    join(work, 'docs', 'examples.jsonl'),
    examples.map((e, i) => JSON.stringify({ id: `ex${i}`, text: e.en, metadata: { n: i } })).join('\n'),
  );
  db = await PGlite.create({ extensions: { vector } });
  socket = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await socket.start();
  url = `postgres://postgres@${socket.getServerConn()}/postgres`;
  env.localModelPath = `${modelsDir}/`;
  env.allowRemoteModels = false;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await socket?.stop();
  await db?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('webembed index --to postgres://', () => {
  it('refuses a --to that is not a Postgres URL (exit 2)', async () => {
    const argv = ['index', 'docs', '--model', MODEL, '--out', 'x.webembed', '--to', 'mysql://db'];
    expect(() => parseCommandLine(argv)).toThrow(/--to takes a Postgres connection string/);
    const stderr = sink();
    expect(await runCli(argv, { stdout: sink(), stderr, env: {} })).toBe(EXIT.usage);
    expect(stderr.text).toMatch(/postgres:\/\//);
    const ok = parseCommandLine(['index', 'docs', '--model', MODEL, '--out', 'x.webembed', '--to', url]);
    expect(ok.command === 'index' && ok.to).toBe(url);
  });

  it('keeps the file and says so when Postgres cannot be reached (exit 1, REMOTE_FAILED)', async () => {
    const out = join(work, 'unreachable.webembed');
    const stderr = sink();
    const argv = [
      'index',
      join(work, 'docs'),
      '--model',
      MODEL,
      '--dtype',
      'fp32',
      '--models-dir',
      modelsDir,
    ];
    const code = await runCli([...argv, '--out', out, '--to', 'postgres://nobody:secret@127.0.0.1:1/none'], {
      stdout: sink(),
      stderr,
      env: {},
    });
    expect(code).toBe(EXIT.failure);
    expect(existsSync(out)).toBe(true);
    expect(stderr.text).toMatch(
      /unreachable\.webembed was written, but loading it into Postgres at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none failed/,
    );
    expect(stderr.text).toMatch(/\[REMOTE_FAILED\]/);
    expect(stderr.text).not.toMatch(/secret/);
  });

  it('writes the file into Postgres; the service serves it and the engine finds documents across languages', async () => {
    const out = join(work, 'examples.webembed');
    const stdout = sink();
    const stderr = sink();
    const code = await runCli(
      ['index', join(work, 'docs'), '--model', MODEL, '--dtype', 'fp32', '--models-dir', modelsDir],
      { stdout: sink(), stderr: sink(), env: {} },
    );
    expect(code).toBe(EXIT.usage); // --out is still required
    const argv = [
      'index',
      join(work, 'docs'),
      '--model',
      MODEL,
      '--dtype',
      'fp32',
      '--models-dir',
      modelsDir,
    ];
    const loaded = await runCli([...argv, '--out', out, '--to', url, '--json'], { stdout, stderr, env: {} });
    expect(loaded, stderr.text).toBe(EXIT.ok);
    const summary = JSON.parse(stdout.text);
    expect(summary.postgres).toMatchObject({ collection: 'examples', rowsWritten: examples.length });
    expect(summary.postgres.indexesCreated.length).toBeGreaterThan(0);
    expect(stderr.text).toMatch(/postgres: done/);

    app = createSearchService({ database: url, apiKey: API_KEY });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const remote = await open({
      remote: `${base}/collections/examples`,
      apiKey: API_KEY,
      model: MODEL,
      dtype: 'fp32',
      device: 'cpu',
    });
    try {
      expect((await remote.info()).count).toBe(examples.length);
      for (const [i, e] of examples.entries()) {
        for (const mode of ['float32', 'binary-rescore'] as const) {
          const { hits, searchBackend } = await remote.search(e.fr, { k: 3, mode, exact: true });
          expect(hits[0]).toMatchObject({ id: `ex${i}`, text: e.en, metadata: { n: i }, source: 'remote' });
          expect(searchBackend).toBe('remote');
        }
      }
      const filtered = await remote.search(examples[0].de, { k: 3, filter: { n: 2 } });
      expect(filtered.hits.map((h) => h.id)).toEqual(['ex2']);
    } finally {
      await remote.close();
    }

    // Another model's queries are refused when the collection opens.
    const other = open({
      remote: `${base}/collections/examples`,
      apiKey: API_KEY,
      model: 'webembed-fixtures/mini-bert',
      dtype: 'fp32',
      device: 'cpu',
    });
    const error = await other.catch((e: unknown) => e);
    expect(isWebEmbedError(error, 'MODEL_MISMATCH')).toBe(true);
    await dropCollection(url, 'examples');
  });
});

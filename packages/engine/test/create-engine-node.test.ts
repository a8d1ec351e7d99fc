import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedCollection, createEngine, env, open } from '../src/index.js';
import { ensureFixtures, fixtureModelsDir } from './fixture-paths.js';

// Under Node, createEngine and open run the engine in-process (the package's #in-process import
// resolves to the real engine for the `node` condition; browser builds get a stub instead).
const MODEL = 'webembed-fixtures/crosslingual-bert';
let notes: OpenedCollection;

beforeAll(async () => {
  ensureFixtures();
  env.localModelPath = `${fixtureModelsDir}/`;
  env.allowRemoteModels = false;
  notes = await open({ model: MODEL, dtype: 'fp32', collection: 'notes', database: 'create-engine-node' });
});

afterAll(async () => {
  await notes?.close();
});

describe('createEngine and open under Node', () => {
  it('run in-process on onnxruntime-node, with info on what open() returns', async () => {
    expect(notes.info.backend).toBe('cpu');
    expect(notes.info).toBe(notes.engine.info);
    expect(notes.info.fingerprint.modelId).toBe(MODEL);
  });

  it('upsert keeps a collection the same when the same notes are written again (a page reload)', async () => {
    const docs = [
      { id: 'fr-1', text: 'le chat mange le poisson' },
      { id: 'de-1', text: 'mein hund läuft in dem garten' },
    ];
    await notes.upsert(docs);
    await notes.upsert(docs);
    expect(await notes.count()).toBe(2);
    const { hits } = await notes.search('the cat eats the fish', { k: 1 });
    expect(hits[0].id).toBe('fr-1');
    expect(hits[0].score).toBeGreaterThan(0.999);
  });

  it('worker: false runs in-process too', async () => {
    const engine = await createEngine({ model: MODEL, dtype: 'fp32', worker: false });
    expect(engine.info.backend).toBe('cpu');
    await engine.dispose();
  });
});

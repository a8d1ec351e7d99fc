// Node consumers of the packed packages: import core, text and store, and run the engine's
// Node path (in-process, onnxruntime-node, whose install script was skipped: its CPU library
// ships in the npm tarball). Prints one JSON line; exits 1 on any mismatch.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchFloat } from '@webembed/core';
import { createEngine, env } from '@webembed/engine';
import { crc32, openVectorStore } from '@webembed/store';
import { createBm25Index } from '@webembed/text';

const MODEL = 'webembed-fixtures/crosslingual-bert';
const models = fileURLToPath(new URL('./public/models/', import.meta.url));
const reference = JSON.parse(readFileSync(`${models}${MODEL}/reference.json`, 'utf8'));
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

env.localModelPath = models;
const engine = await createEngine({ model: MODEL, dtype: 'fp32' });
check(
  engine.info.backend === 'cpu',
  `engine backend is ${engine.info.backend}, expected cpu (onnxruntime-node)`,
);
const probe = reference.probes[0];
const texts = [
  probe.text,
  'le chat mange le poisson',
  'the cat eats the fish',
  'mein hund läuft in dem garten',
];
const { vectors } = await engine.embed(texts, { kind: 'passage' });
const dims = vectors.dims;
let maxDiff = 0;
probe.mean.forEach((x, i) => {
  maxDiff = Math.max(maxDiff, Math.abs(vectors.data[i] - x));
});
check(maxDiff < 1e-4, `embedding of "${probe.text}" differs from the reference by ${maxDiff}`);
await engine.dispose();

// core: the English sentence finds its word-for-word French translation, not the German one.
const row = (i) => vectors.data.subarray(i * dims, (i + 1) * dims);
const corpus = { data: Float32Array.from([...row(1), ...row(3)]), rows: 2, dims };
const query = { data: Float32Array.from(row(2)), rows: 1, dims };
const top = searchFloat(query, corpus, { k: 2 });
check(
  top.indices[0] === 0 && top.scores[0] > 0.999,
  `searchFloat: top row ${top.indices[0]} with ${top.scores[0]}, expected the French translation (0) at cosine 1`,
);

// text: BM25 ranks the document with the query's words first.
const bm25 = createBm25Index();
bm25.add('fish', 'the cat eats the fish');
bm25.add('garden', 'my dog runs in the garden');
check(bm25.search('fish', 1).ids[0] === 'fish', 'BM25 did not find the fish document');

// store: its Node-safe parts run; the IndexedDB part is there for browsers.
check(crc32(new TextEncoder().encode('123456789')) === 0xcbf43926, 'crc32 check value differs');
check(typeof openVectorStore === 'function', 'openVectorStore is missing');

console.log(JSON.stringify({ ok: failures.length === 0, failures, maxDiff, dims }));
process.exit(failures.length === 0 ? 0 : 1);

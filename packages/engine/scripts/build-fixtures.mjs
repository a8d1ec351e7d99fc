#!/usr/bin/env node
// Builds the fixture embedding models under <repo>/.fixtures/models/webembed-fixtures/<name>/:
// real ONNX encoders with the BERT signature, a real WordPiece tokenizer, config files, and a
// reference.json of probe texts with token ids and pooled vectors computed without onnxruntime.
// Deterministic (seeded PRNG, no downloads) and skipped when the outputs are up to date.
//
// Usage: node scripts/build-fixtures.mjs [--force]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnnxModel, dequantizedWeights } from './fixtures/onnx-model.mjs';
import { forwardTokens, pooledReference } from './fixtures/reference.mjs';
import { SPECIAL_TOKENS, encodeBert, normalizeBert, tokenizerJson } from './fixtures/wordpiece.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const repoRoot = join(packageDir, '..', '..');
const outRoot = join(repoRoot, '.fixtures', 'models', 'webembed-fixtures');
const conceptsPath = join(packageDir, 'fixtures', 'crosslingual-concepts.json');
const MAX_TOKENS = 128;
const FORMAT_VERSION = 1;

/** mulberry32: a tiny seeded PRNG, enough for reproducible weights. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function randomArray(random, length, std) {
  return Float32Array.from({ length }, () => gaussian(random) * std);
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '.,!?;:\'"()-/&';
const COMMON_ENGLISH = `the of and to in is it for on with as was at by an be this that from are or his her
their you we they he she not but have has had were which will can all one two new more about what when
there who out up so some into than then time year day people way water world life home house school book
city food music science history light night cat dog bird fish tree river sea sky sun moon rain snow car
train road computer phone search engine browser vector model text query data fast small big good old red
blue green white black cold hot happy learning language english french german spanish`.split(/\s+/);

/** Fallback pieces so any ASCII word tokenizes without [UNK]. */
function fallbackTokens() {
  const tokens = [...LETTERS, ...PUNCTUATION];
  for (const ch of LETTERS) tokens.push(`##${ch}`);
  return tokens;
}

function miniBertSpec() {
  const tokens = [...SPECIAL_TOKENS, ...fallbackTokens()];
  for (const w of COMMON_ENGLISH) if (!tokens.includes(w)) tokens.push(w);
  return { name: 'mini-bert', hidden: 32, seed: 1234, tokens, tiedRows: new Map() };
}

/** Vocabulary of every concept form (normalized), each tied to its concept's row. */
function crosslingualSpec(table) {
  const tokens = [...SPECIAL_TOKENS, ...fallbackTokens()];
  const owner = new Map();
  const tiedRows = new Map();
  table.concepts.forEach((concept, index) => {
    for (const lang of table.languages) {
      for (const form of concept[lang] ?? []) {
        const token = normalizeBert(form);
        if (!/^[a-z0-9]+$/.test(token)) throw new Error(`concept form "${form}" is not one plain word`);
        const previous = owner.get(token);
        if (previous !== undefined && previous !== concept.concept) {
          throw new Error(`form "${token}" belongs to two concepts: ${previous} and ${concept.concept}`);
        }
        owner.set(token, concept.concept);
        if (!tokens.includes(token)) tokens.push(token);
        tiedRows.set(token, index);
      }
    }
  });
  for (const example of table.examples ?? []) {
    const concepts = table.languages.map((lang) =>
      example[lang].split(' ').map((w) => owner.get(normalizeBert(w)) ?? `?${w}`),
    );
    const expected = concepts[0].join(' ');
    for (const [i, seq] of concepts.entries()) {
      if (seq.join(' ') !== expected) {
        throw new Error(
          `example "${example[table.languages[i]]}" is not a word-for-word translation (${seq})`,
        );
      }
    }
  }
  return {
    name: 'crosslingual-bert',
    hidden: 64,
    seed: 4321,
    tokens,
    tiedRows,
    conceptCount: table.concepts.length,
  };
}

function makeWeights(spec) {
  const random = prng(spec.seed);
  const { hidden, tokens } = spec;
  const wordEmb = randomArray(random, tokens.length * hidden, 1);
  const concepts = randomArray(random, (spec.conceptCount ?? 0) * hidden, 1);
  tokens.forEach((token, id) => {
    const row = spec.tiedRows.get(token);
    if (row !== undefined) wordEmb.set(concepts.subarray(row * hidden, (row + 1) * hidden), id * hidden);
  });
  return {
    wordEmb,
    posEmb: randomArray(random, MAX_TOKENS * hidden, 0.05),
    typeEmb: randomArray(random, 2 * hidden, 0.05),
    gamma: Float32Array.from({ length: hidden }, () => 1 + 0.1 * gaussian(random)),
    beta: randomArray(random, hidden, 0.02),
    dense: randomArray(random, hidden * hidden, 0.5 / Math.sqrt(hidden)),
    bias: randomArray(random, hidden, 0.05),
  };
}

const PROBES = [
  'Hello world',
  'The quick brown fox jumps over the lazy dog.',
  'Vector search runs in the browser!',
  'le chat mange le poisson',
  'Ünïcödé façade: naïve café',
  'zzz',
];

function referenceFor(spec, weights) {
  const vocab = new Map(spec.tokens.map((t, i) => [t, i]));
  const q8 = dequantizedWeights(weights);
  return PROBES.map((text) => {
    const ids = encodeBert(text, vocab, MAX_TOKENS);
    const fp32 = pooledReference(forwardTokens(ids, weights, spec.hidden), spec.hidden);
    const quant = pooledReference(forwardTokens(ids, q8, spec.hidden, q8.denseQ), spec.hidden);
    return { text, ids, mean: fp32.mean, cls: fp32.cls, meanQ8: quant.mean, clsQ8: quant.cls };
  });
}

function writeModel(spec) {
  const dir = join(outRoot, spec.name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const weights = makeWeights(spec);
  const shape = {
    vocabSize: spec.tokens.length,
    hidden: spec.hidden,
    maxPositions: MAX_TOKENS,
    name: spec.name,
  };
  writeFileSync(join(dir, 'onnx', 'model.onnx'), buildOnnxModel(weights, { ...shape, quantized: false }));
  writeFileSync(
    join(dir, 'onnx', 'model_quantized.onnx'),
    buildOnnxModel(weights, { ...shape, quantized: true }),
  );
  const json = (file, value) => writeFileSync(join(dir, file), `${JSON.stringify(value, null, 1)}\n`);
  json('config.json', {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: spec.hidden,
    vocab_size: spec.tokens.length,
    max_position_embeddings: MAX_TOKENS,
    type_vocab_size: 2,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: spec.hidden,
    pad_token_id: 0,
  });
  json('tokenizer.json', tokenizerJson(spec.tokens));
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: MAX_TOKENS,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  json('reference.json', {
    note: 'Pooled vectors computed by scripts/fixtures/reference.mjs from the weights, without onnxruntime.',
    hidden: spec.hidden,
    maxTokens: MAX_TOKENS,
    probes: referenceFor(spec, weights),
  });
}

function inputsHash() {
  const hash = createHash('sha256');
  hash.update(String(FORMAT_VERSION));
  for (const file of [
    'build-fixtures.mjs',
    'fixtures/onnx-model.mjs',
    'fixtures/reference.mjs',
    'fixtures/wordpiece.mjs',
  ]) {
    hash.update(readFileSync(join(here, file)));
  }
  hash.update(readFileSync(conceptsPath));
  return hash.digest('hex');
}

const stampPath = join(outRoot, '.inputs-sha256');
const hash = inputsHash();
const names = ['mini-bert', 'crosslingual-bert'];
const outputs = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'reference.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
];
const complete = names.every((n) => outputs.every((file) => existsSync(join(outRoot, n, file))));
if (
  !process.argv.includes('--force') &&
  complete &&
  existsSync(stampPath) &&
  readFileSync(stampPath, 'utf8') === hash
) {
  console.log(`[fixtures] up to date: ${outRoot}`);
} else {
  const started = performance.now();
  const table = JSON.parse(readFileSync(conceptsPath, 'utf8'));
  for (const spec of [miniBertSpec(), crosslingualSpec(table)]) writeModel(spec);
  writeFileSync(stampPath, hash);
  console.log(
    `[fixtures] wrote ${names.join(', ')} to ${outRoot} in ${Math.round(performance.now() - started)} ms`,
  );
}

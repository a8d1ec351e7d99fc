/**
 * `pnpm bench cli [--docs N] [--cli-docs N] [--queries N]`
 *
 * 1. CLI indexing throughput (documents/s, chunks/s) on the fixture model, fp32 and q8, through
 *    the same `indexFolder` the command runs; and on a real model when its files are present
 *    under $WEBEMBED_MODELS_DIR (default ./models), e.g. Xenova/multilingual-e5-small.
 * 2. BM25 on a synthetic multilingual corpus (en/fr/de with accents, ja/zh/th without spaces):
 *    index build, search latency, serialization, and planted-term recall, against Orama's
 *    full-text search (a BM25 peer) and against our own tokenizer without CJK bigrams, all in
 *    this run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { createBm25Index, createTokenizer, loadBm25Index } from '@webembed/text';
import { parseArgs } from '../../../bench/lib/args.js';
import { fmt, markdownTable, percentile, writeResults } from '../../../bench/lib/report.js';
import { type IndexCommand, indexFolder } from '../src/index.js';
import { type CorpusLanguage, LANGUAGES, makeDocument, makeVocabulary, seededRandom } from './corpus.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = parseArgs(process.argv.slice(2), { docs: 'number', 'cli-docs': 'number', queries: 'number' });
const BM25_DOCS = Number(args.docs ?? 20_000);
const CLI_DOCS = Number(args['cli-docs'] ?? 300);
const QUERIES = Number(args.queries ?? 300);

const markdown: string[] = ['# CLI indexing and BM25\n'];
const json: Record<string, unknown> = {};

// ---------------------------------------------------------------------------------------------
// 1. CLI throughput
async function cliThroughput(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'webembed-cli-bench-'));
  const docsDir = join(work, 'docs');
  mkdirSync(docsDir);
  const random = seededRandom(7);
  const vocab = makeVocabulary(2000, random);
  for (let i = 0; i < CLI_DOCS; i++) {
    // mostly short notes, every tenth a long page that needs several chunks
    const words = i % 10 === 0 ? 400 : 40 + Math.floor(random() * 60);
    writeFileSync(join(docsDir, `doc-${i}.txt`), makeDocument(vocab, 'en', words));
  }
  const models: { model: string; dir: string; dtype: IndexCommand['dtype']; chunkTokens: number | null }[] = [
    {
      model: 'webembed-fixtures/mini-bert',
      dir: join(repo, '.fixtures', 'models'),
      dtype: 'fp32',
      chunkTokens: 128,
    },
    {
      model: 'webembed-fixtures/mini-bert',
      dir: join(repo, '.fixtures', 'models'),
      dtype: 'q8',
      chunkTokens: 128,
    },
  ];
  const realDir = resolve(process.env.WEBEMBED_MODELS_DIR ?? join(repo, 'models'));
  const real = 'Xenova/multilingual-e5-small';
  const realPresent = existsSync(join(realDir, real, 'onnx'));
  if (realPresent) models.push({ model: real, dir: realDir, dtype: 'q8', chunkTokens: 256 });
  const rows: (string | number)[][] = [];
  const results: unknown[] = [];
  for (const m of models) {
    const out = join(work, 'out.webembed');
    const started = performance.now();
    const summary = await indexFolder({
      command: 'index',
      folder: docsDir,
      model: m.model,
      out,
      dtype: m.dtype,
      chunkTokens: m.chunkTokens,
      overlap: 16,
      modelsDir: m.dir,
      resume: false,
      name: null,
      kinds: ['float32'],
      batchSize: 32,
      json: false,
    });
    const wall = (performance.now() - started) / 1000;
    const embedSeconds = summary.documents / summary.docsPerSecond;
    rows.push([
      m.model,
      m.dtype,
      summary.documents,
      summary.chunks,
      fmt(summary.docsPerSecond, 1),
      fmt(summary.chunks / embedSeconds, 1),
      fmt(wall, 2),
      fmt(summary.bytes / 1024, 1),
    ]);
    results.push({ ...m, ...summary, wallSeconds: wall });
    console.log(`cli ${m.model} ${m.dtype}: ${fmt(summary.docsPerSecond, 1)} docs/s`);
  }
  rmSync(work, { recursive: true, force: true });
  markdown.push(
    `## CLI: \`webembed index\` throughput (${CLI_DOCS} English documents, 40-100 words, every tenth 400 words; chunks of at most 128 tokens, overlap 16; Node, onnxruntime-node CPU)\n`,
    markdownTable(
      ['model', 'dtype', 'documents', 'chunks', 'documents/s', 'chunks/s', 'wall s (load incl.)', 'file KiB'],
      rows,
    ),
    realPresent
      ? ''
      : `\nThe real model (${real}) was not measured: its files are not under ${realDir} (no Hugging Face access here). The fixture model is tiny (1 layer, 32 dims), so its figures bound the CLI's own overhead (reading, chunking, journal, file writing) rather than model speed.\n`,
  );
  json.cli = results;
}

// ---------------------------------------------------------------------------------------------
// 2. BM25
interface Corpus {
  ids: string[];
  texts: string[];
  langs: CorpusLanguage[];
}

function makeCorpus(n: number): {
  corpus: Corpus;
  planted: { id: string; term: string; lang: CorpusLanguage }[];
} {
  const random = seededRandom(42);
  const vocab = makeVocabulary(5000, random);
  const corpus: Corpus = { ids: [], texts: [], langs: [] };
  const planted: { id: string; term: string; lang: CorpusLanguage }[] = [];
  for (let i = 0; i < n; i++) {
    const lang = LANGUAGES[i % LANGUAGES.length];
    let text = makeDocument(vocab, lang, 30 + Math.floor(random() * 60));
    const id = `d${i}`;
    // Every 49th document (coprime with the 6 languages) carries a planted rare term (a product code for Latin scripts, a
    // fresh word for the others) that a query must find.
    if (i % 49 === 0 && planted.length < QUERIES) {
      const term =
        lang === 'en' || lang === 'fr' || lang === 'de'
          ? `X${100000 + planted.length}Q`
          : vocab.words[lang][4000 + (planted.length % 1000)];
      const cut = Math.floor(text.length / 2);
      const joiner = lang === 'ja' || lang === 'zh' || lang === 'th' ? '' : ' ';
      text = text.slice(0, cut) + joiner + term + joiner + text.slice(cut);
      planted.push({ id, term, lang });
    }
    corpus.ids.push(id);
    corpus.texts.push(text);
    corpus.langs.push(lang);
  }
  return { corpus, planted };
}

interface Engine {
  name: string;
  build(corpus: Corpus): Promise<void>;
  search(query: string, k: number): Promise<string[]>;
}

function ourEngine(name: string, cjkBigramMinRun: number): Engine & { serialize(): unknown } {
  let index = createBm25Index({ tokenizer: { cjkBigramMinRun } });
  return {
    name,
    async build(corpus) {
      index = createBm25Index({ tokenizer: { cjkBigramMinRun } });
      for (let i = 0; i < corpus.ids.length; i++) index.add(corpus.ids[i], corpus.texts[i]);
    },
    async search(query, k) {
      return index.search(query, k).ids;
    },
    serialize: () => index.serialize(),
  };
}

// Orama's generic types recurse too deep for tsc here; this is the slice of its API used.
type OramaSearch = (
  db: unknown,
  params: { term: string; properties: string[]; limit: number },
) => Promise<{ hits: { id: string }[] }>;
const searchOrama = oramaSearch as unknown as OramaSearch;

function oramaEngine(): Engine {
  let db: ReturnType<typeof create> | null = null;
  return {
    name: 'Orama 3.1.18 (BM25, default tokenizer)',
    async build(corpus) {
      db = create({ schema: { id: 'string', text: 'string' } as const });
      const docs = corpus.ids.map((id, i) => ({ id, text: corpus.texts[i] }));
      await insertMultiple(db, docs, 1000);
    },
    async search(query, k) {
      const res = await searchOrama(db, { term: query, properties: ['text'], limit: k });
      return res.hits.map((h) => h.id);
    },
  };
}

async function bm25Bench(): Promise<void> {
  const { corpus, planted } = makeCorpus(BM25_DOCS);
  const chars = corpus.texts.reduce((n, t) => n + t.length, 0);
  console.log(
    `BM25 corpus: ${BM25_DOCS} docs, ${(chars / 1e6).toFixed(1)} M chars, ${planted.length} planted queries`,
  );

  // Tokenizer throughput per language group.
  const tokenize = createTokenizer();
  const tokRows: (string | number)[][] = [];
  const tokJson: Record<string, number> = {};
  for (const lang of LANGUAGES) {
    const texts = corpus.texts.filter((_, i) => corpus.langs[i] === lang).slice(0, 1000);
    const langChars = texts.reduce((n, t) => n + t.length, 0);
    for (const t of texts.slice(0, 100)) tokenize(t); // warm up the JIT for this script
    const started = performance.now();
    let terms = 0;
    for (const t of texts) terms += tokenize(t).length;
    const seconds = (performance.now() - started) / 1000;
    tokRows.push([lang, fmt(langChars / seconds / 1e6, 2), fmt(terms / texts.length, 1)]);
    tokJson[lang] = langChars / seconds;
  }
  markdown.push(
    `\n## BM25 tokenizer throughput (1,000 documents per language)\n`,
    markdownTable(['language', 'M chars/s', 'terms/doc (bigrams included)'], tokRows),
  );
  json.tokenizerCharsPerSecond = tokJson;

  const engines: (Engine & { serialize?: () => unknown })[] = [
    ourEngine('webembed BM25 (Segmenter + CJK bigrams)', 3),
    ourEngine('webembed BM25 (Segmenter only)', 0),
    oramaEngine(),
  ];
  const random = seededRandom(99);
  // Random 1-3 term queries from document words, for latency.
  const latencyQueries: string[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const doc = corpus.texts[Math.floor(random() * corpus.texts.length)];
    const words = tokenize(doc);
    const n = 1 + Math.floor(random() * 3);
    const picked: string[] = [];
    for (let i = 0; i < n; i++) picked.push(words[Math.floor(random() * words.length)]);
    latencyQueries.push(picked.join(' '));
  }
  const rows: (string | number)[][] = [];
  const results: unknown[] = [];
  for (const engine of engines) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    await engine.build(corpus);
    const buildSeconds = (performance.now() - started) / 1000;
    global.gc?.();
    const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const latencies: number[] = [];
    for (const q of latencyQueries) {
      const t = performance.now();
      await engine.search(q, 10);
      latencies.push(performance.now() - t);
    }
    const recallBy: Record<string, { hit: number; total: number }> = {};
    for (const p of planted) {
      const hits = await engine.search(p.term, 10);
      const group = p.lang === 'en' || p.lang === 'fr' || p.lang === 'de' ? 'latin codes' : p.lang;
      recallBy[group] ??= { hit: 0, total: 0 };
      recallBy[group].total++;
      if (hits.includes(p.id)) recallBy[group].hit++;
    }
    const recall = (g: string) => (recallBy[g] ? recallBy[g].hit / recallBy[g].total : Number.NaN);
    rows.push([
      engine.name,
      fmt(BM25_DOCS / buildSeconds, 0),
      fmt(heapMiB, 0),
      fmt(percentile(latencies, 50), 3),
      fmt(percentile(latencies, 95), 3),
      fmt(recall('latin codes'), 2),
      fmt(recall('ja'), 2),
      fmt(recall('zh'), 2),
      fmt(recall('th'), 2),
    ]);
    const entry: Record<string, unknown> = {
      engine: engine.name,
      buildDocsPerSecond: BM25_DOCS / buildSeconds,
      heapMiB,
      searchP50Ms: percentile(latencies, 50),
      searchP95Ms: percentile(latencies, 95),
      plantedRecallAt10: Object.fromEntries(Object.keys(recallBy).map((g) => [g, recall(g)])),
    };
    if (engine.serialize) {
      const t = performance.now();
      const text = JSON.stringify(engine.serialize());
      const serializeMs = performance.now() - t;
      const l = performance.now();
      loadBm25Index(JSON.parse(text));
      const loadMs = performance.now() - l;
      entry.serializedMiB = text.length / 2 ** 20;
      entry.serializeMs = serializeMs;
      entry.loadMs = loadMs;
    }
    results.push(entry);
    console.log(JSON.stringify(entry));
  }
  markdown.push(
    `\n## BM25 on a synthetic multilingual corpus (${BM25_DOCS.toLocaleString('en-US')} documents, ${(chars / 1e6).toFixed(1)} M characters, 6 languages; ${QUERIES} queries of 1-3 terms; top 10)\n`,
    markdownTable(
      [
        'engine',
        'build docs/s',
        'heap MiB',
        'search p50 ms',
        'search p95 ms',
        'planted recall@10: Latin codes',
        'ja',
        'zh',
        'th',
      ],
      rows,
    ),
    '\nPlanted recall: a rare term inserted into one document (product codes like `X100007Q` in en/fr/de; an unseen vocabulary word in ja/zh/th, written without spaces) is the query; a hit is that document in the top 10. The CJK and Thai words are synthetic character strings, not dictionary words, so ICU segmentation splits them unpredictably: this is the case CJK bigrams exist for. Real Japanese/Chinese text segments far better than this.\n',
  );
  const ours = results[0] as Record<string, number>;
  markdown.push(
    `\nSerialization (webembed BM25, JSON): ${fmt(ours.serializedMiB, 1)} MiB, serialize ${fmt(ours.serializeMs, 0)} ms, load ${fmt(ours.loadMs, 0)} ms.\n`,
  );
  json.bm25 = results;
}

await cliThroughput();
await bm25Bench();
writeResults('cli', markdown.join('\n'), json);

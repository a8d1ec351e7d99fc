/**
 * The demo's controller: starts the engine, indexes the bundled corpus once, or imports a prebuilt
 * index file instead (later visits reuse the IndexedDB copy without embedding anything), runs searches with recall against float search,
 * and manages the user's own documents.
 */
import type { ExampleQuery, Passage } from './corpus/index';
import { detectLanguage } from './lang';
import { recallAtK } from './metrics';
import type { RuntimeConfig } from './config';
import type { AddOutcome, DocInput, SearchService } from './search-service';
import {
  fetchIndexFile,
  indexFileName,
  PREBUILT_MARK,
  type PrebuiltMark,
  prebuiltIsCurrent,
} from './prebuilt-index';
import type { View } from './ui/view';
import {
  type DemoDb,
  deleteDemoDb,
  isAcceptedFile,
  MAX_DOC_CHARS,
  newDocId,
  prepareUserText,
  titleFor,
  type UserDoc,
} from './user-docs';

/** What the app needs from outside (so the controller stays free of engine and page set-up). */
export interface AppDeps {
  readonly config: RuntimeConfig;
  readonly view: View;
  readonly service: SearchService;
  readonly db: DemoDb;
  readonly corpus: readonly Passage[];
  readonly examples: readonly ExampleQuery[];
  /** Deletes cached model files and reloads the page (Clear all data). */
  readonly resetPage: () => Promise<void>;
}

function corpusDocs(corpus: readonly Passage[]): DocInput[] {
  return corpus.map((p) => ({
    id: p.id,
    text: p.text,
    metadata: { lang: p.lang, topic: p.topic, source: 'corpus' },
  }));
}

function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) {
    const code = (err as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${String((err as { message: unknown }).message)}`;
  }
  return String(err);
}

/** Meta key recording that the corpus is fully indexed (written after the upsert succeeded). */
const CORPUS_MARK = 'corpus-indexed';

interface CorpusMark {
  readonly collection: string;
  readonly passages: number;
}

export async function runApp(deps: AppDeps): Promise<void> {
  const { config, view, service, db, corpus } = deps;
  const $ = view.elements;
  let embeddedThisVisit = 0;
  let lastQuery = '';
  let busy = false;

  const refreshCounts = async () =>
    view.setCounts(await service.count(), service.info.dims, embeddedThisVisit);

  // The corpus: written in one upsert, then marked done; later visits reuse the stored copy.
  const indexCorpus = async () => {
    const mark = await db.getMeta<CorpusMark>(CORPUS_MARK);
    const stored = await service.count();
    if (
      mark?.collection === config.collection &&
      mark.passages === corpus.length &&
      stored >= corpus.length
    ) {
      view.setIndexProgress({ done: corpus.length, total: corpus.length }, 'restored from IndexedDB');
      view.setStatus(`Index restored from IndexedDB: ${corpus.length} passages, nothing re-embedded.`);
      return;
    }
    const languages = new Set(corpus.map((p) => p.lang)).size;
    view.setStatus(`Indexing ${corpus.length} passages in ${languages} languages…`);
    view.setIndexProgress({ done: 0, total: corpus.length }, 'embedding');
    const started = performance.now();
    const outcome = await service.add(corpusDocs(corpus), {
      replace: true,
      onProgress: (p) => view.setIndexProgress(p, 'embedding'),
    });
    embeddedThisVisit += outcome.vectors;
    await db.setMeta(CORPUS_MARK, {
      collection: config.collection,
      passages: corpus.length,
    } satisfies CorpusMark);
    view.setIndexProgress({ done: corpus.length, total: corpus.length }, 'done');
    const indexMs = performance.now() - started;
    view.setStatus(`Indexed ${corpus.length} passages in ${(indexMs / 1000).toFixed(1)} s. Ready to search.`);
    $.status.dataset.indexMs = indexMs.toFixed(0);
  };

  // A prebuilt index (CLI-built collection file): fetched with byte progress and imported in one
  // call; nothing is embedded. A refused file (another model: MODEL_MISMATCH) leaves the index as it was.
  const loadPrebuilt = async (url: string) => {
    const name = indexFileName(url);
    const mark = await db.getMeta<PrebuiltMark>(PREBUILT_MARK);
    const stored = await service.count();
    document.body.dataset.prebuilt = 'loading';
    if (prebuiltIsCurrent(mark, config.collection, url, stored)) {
      view.setIndexProgress({ done: stored, total: stored }, 'restored from IndexedDB');
      view.setStatus(`Prebuilt index restored from IndexedDB: ${stored} passages, 0 embedded.`);
      document.body.dataset.prebuilt = 'restored';
      return;
    }
    view.setStatus(`Downloading the prebuilt index ${name}…`);
    try {
      const bytes = await fetchIndexFile(url, (p) =>
        view.setIndexProgress({ done: p.loaded, total: p.total }, `bytes of ${name}`),
      );
      view.setStatus(`Importing the prebuilt index ${name}…`);
      const rows = await service.importIndex(bytes);
      await db.setMeta(PREBUILT_MARK, { collection: config.collection, url, rows } satisfies PrebuiltMark);
      view.setIndexProgress({ done: rows, total: rows }, 'imported');
      view.setStatus(`Loaded prebuilt index: ${rows} passages, 0 embedded.`);
      document.body.dataset.prebuilt = 'loaded';
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      document.body.dataset.prebuilt = 'error';
      document.body.dataset.prebuiltError = typeof code === 'string' ? code : 'error';
      view.setIndexProgress({ done: 0, total: 0 }, 'not loaded');
      view.setStatus(
        `Could not load the prebuilt index ${name}: ${describeError(err)}. The index was left unchanged ` +
          `(${stored} passages).`,
        'error',
      );
    }
  };

  // 1. The index: a prebuilt file imported in one call, or the corpus embedded here.
  if (config.prebuiltIndexUrl !== null) await loadPrebuilt(config.prebuiltIndexUrl);
  else await indexCorpus();
  await refreshCounts();

  // 2. Search.
  const runSearch = async (query: string) => {
    const q = query.trim();
    if (q === '' || busy) return;
    busy = true;
    lastQuery = q;
    const mode = view.mode();
    try {
      const outcome = await service.search(q, { mode, k: 10 });
      view.showResults(outcome.hits, q, mode);
      view.setTimings(outcome.embedMs, outcome.searchMs, service.info.searchBackend);
      if (mode === 'float32') view.setRecall(1, mode);
      else {
        const reference = await service.search(q, { mode: 'float32', k: 10 });
        view.setRecall(
          recallAtK(
            reference.hits.map((h) => h.id),
            outcome.hits.map((h) => h.id),
            10,
          ),
          mode,
        );
      }
      document.body.dataset.lastQuery = q;
      document.body.dataset.lastMode = mode;
    } catch (err) {
      view.setStatus(`Search failed: ${describeError(err)}`, 'error');
    } finally {
      busy = false;
    }
  };

  $.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runSearch($.query.value);
  });
  $.modes.addEventListener('change', () => {
    if (lastQuery) void runSearch(lastQuery);
  });
  view.renderExamples(deps.examples, (query) => {
    $.query.value = query;
    void runSearch(query);
  });

  // 3. The user's documents.
  const showDocs = async () => view.renderDocs(await db.listDocs(), (doc) => void removeDoc(doc));

  const addDocument = async (raw: string, fileName?: string, givenTitle?: string) => {
    const prepared = prepareUserText(raw);
    const name = fileName ?? (givenTitle?.trim() || undefined);
    if (prepared.text === '') {
      view.setDocsReport(`${name ?? 'The pasted text'} is empty: nothing to index.`, 'warn');
      return;
    }
    const id = newDocId();
    const title = fileName
      ? titleFor(prepared.text, fileName)
      : givenTitle?.trim() || titleFor(prepared.text);
    const lang = detectLanguage(prepared.text);
    view.setDocsReport(`Chunking and embedding “${title}”…`);
    let outcome: AddOutcome;
    try {
      outcome = await service.add([{ id, text: prepared.text, metadata: { lang, source: 'user', title } }], {
        chunk: config.chunk,
        onProgress: (p) => view.setIndexProgress(p, `“${title}”`),
      });
    } catch (err) {
      view.setDocsReport(`Could not index “${title}”: ${describeError(err)}`, 'error');
      return;
    }
    embeddedThisVisit += outcome.vectors;
    const chunks = outcome.vectors;
    const doc: UserDoc = {
      id,
      title,
      lang,
      chars: prepared.text.length,
      truncatedChars: prepared.truncatedChars,
      chunks,
      truncatedChunks: outcome.truncatedChunks,
      addedAt: Date.now(),
    };
    await db.putDoc(doc);
    const notes = [
      `Added “${title}”: ${prepared.text.length.toLocaleString()} characters in ${chunks} chunk${chunks === 1 ? '' : 's'}` +
        ` (≤ ${config.chunk.maxTokens} tokens each, ${config.chunk.overlapTokens} overlapping).`,
    ];
    if (prepared.truncatedChars > 0) {
      notes.push(
        `${prepared.truncatedChars.toLocaleString()} characters past the ${MAX_DOC_CHARS.toLocaleString()}-character limit were cut.`,
      );
    }
    if (outcome.truncatedChunks > 0)
      notes.push(`${outcome.truncatedChunks} chunk(s) were cut at the model's token window.`);
    view.setDocsReport(
      notes.join(' '),
      prepared.truncatedChars > 0 || outcome.truncatedChunks > 0 ? 'warn' : 'info',
    );
    await showDocs();
    await refreshCounts();
  };

  const removeDoc = async (doc: UserDoc) => {
    await service.delete([doc.id]);
    await db.deleteDoc(doc.id);
    view.setDocsReport(`Removed “${doc.title}”.`);
    await showDocs();
    await refreshCounts();
    if (lastQuery) await runSearch(lastQuery);
  };

  $.pasteForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $.pasteText.value;
    void addDocument(text, undefined, $.pasteTitle.value).then(() => {
      $.pasteText.value = '';
      $.pasteTitle.value = '';
    });
  });

  const addFiles = async (files: Iterable<File>) => {
    for (const file of files) {
      if (!isAcceptedFile(file.name, file.type)) {
        view.setDocsReport(`${file.name} is not a .txt or .md file; skipped.`, 'warn');
        continue;
      }
      await addDocument(await file.text(), file.name);
    }
  };
  $.fileInput.addEventListener('change', () => {
    if ($.fileInput.files) void addFiles([...$.fileInput.files]).then(() => ($.fileInput.value = ''));
  });
  $.dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    $.dropzone.dataset.over = 'true';
  });
  $.dropzone.addEventListener('dragleave', () => delete $.dropzone.dataset.over);
  $.dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    delete $.dropzone.dataset.over;
    if (event.dataTransfer?.files) void addFiles([...event.dataTransfer.files]);
  });

  $.clearAll.addEventListener('click', () => {
    if (!confirm('Delete the index, your documents and the cached model files from this browser?')) return;
    void (async () => {
      view.setReady(false);
      view.setStatus('Clearing all data…');
      await service.clear();
      await service.close();
      db.close();
      await deleteDemoDb();
      await deps.resetPage();
    })();
  });

  await showDocs();
  view.setReady(true);
}

/**
 * The page's live parts: badges, progress bars, figures, results, example buttons and the
 * document list. Every update goes through text nodes.
 */
import type { ExampleQuery } from '../corpus/index';
import { languageName } from '../lang';
import { formatBytes, formatMs, indexSizes } from '../metrics';
import type { DownloadProgress, Hit, IndexProgress, RuntimeInfo, SearchMode } from '../search-service';
import type { UserDoc } from '../user-docs';
import { byId, el, setText } from './dom';
import { renderResults } from './results';

/** A one-line report's tone. */
export type Tone = 'info' | 'warn' | 'error';

export function createView() {
  const $ = {
    backend: byId('badge-backend'),
    model: byId('badge-model'),
    threads: byId('badge-threads'),
    network: byId('badge-network'),
    badges: byId<HTMLUListElement>('badges'),
    loading: byId('loading'),
    modelBar: byId<HTMLProgressElement>('progress-model'),
    modelText: byId('progress-model-text'),
    indexBar: byId<HTMLProgressElement>('progress-index'),
    indexText: byId('progress-index-text'),
    status: byId('status'),
    form: byId<HTMLFormElement>('search-form'),
    query: byId<HTMLInputElement>('query'),
    searchButton: byId<HTMLButtonElement>('search-button'),
    modes: byId<HTMLFieldSetElement>('modes'),
    examples: byId<HTMLUListElement>('examples'),
    embed: byId('stat-embed'),
    search: byId('stat-search'),
    recall: byId('stat-recall'),
    count: byId('stat-count'),
    embedded: byId('stat-embedded'),
    sizeFloat: byId('size-float32'),
    sizeInt8: byId('size-int8'),
    sizeBinary: byId('size-binary'),
    results: byId<HTMLOListElement>('results'),
    resultsHint: byId('results-hint'),
    pasteForm: byId<HTMLFormElement>('paste-form'),
    pasteTitle: byId<HTMLInputElement>('paste-title'),
    pasteText: byId<HTMLTextAreaElement>('paste-text'),
    pasteAdd: byId<HTMLButtonElement>('paste-add'),
    fileInput: byId<HTMLInputElement>('file-input'),
    dropzone: byId('dropzone'),
    docsReport: byId('docs-report'),
    docList: byId<HTMLUListElement>('doc-list'),
    clearAll: byId<HTMLButtonElement>('clear-all'),
  };

  return {
    elements: $,

    setRuntime(info: RuntimeInfo, isolated: boolean) {
      const gpu = info.backend === 'webgpu';
      const label = gpu
        ? `WebGPU · ${info.adapter ?? 'adapter'}${info.fallbackAdapter ? ' · no real GPU, CPU-emulated' : ''}`
        : 'WASM (CPU)';
      // Why a faster backend was not used, in the browser's words (e.g. no WebGPU adapter).
      const webgpuReason = info.fallbackReasons.find((r) => r.startsWith('webgpu: '));
      setText(
        $.backend,
        `Backend: ${label} · search on ${info.searchBackend === 'webgpu' ? 'WebGPU' : 'CPU'}` +
          (webgpuReason ? ` · WebGPU unavailable: ${webgpuReason.slice('webgpu: '.length)}` : ''),
      );
      if (info.fallbackReasons.length > 0) $.backend.dataset.fallback = info.fallbackReasons.join('; ');
      else delete $.backend.dataset.fallback;
      $.backend.title = info.searchReason;
      $.backend.dataset.search = info.searchBackend;
      $.backend.dataset.state = gpu ? (info.fallbackAdapter ? 'fallback' : 'webgpu') : 'wasm';
      $.backend.dataset.backend = info.backend;
      setText($.model, `Model: ${info.model} · ${info.dtype} · ${info.dims}d`);
      setText($.threads, `Threads: ${info.threads}${info.threadsNote ? ` (${info.threadsNote})` : ''}`);
      $.threads.dataset.threads = String(info.threads);
      if (info.threadsNote) $.threads.dataset.note = info.threadsNote;
      else delete $.threads.dataset.note;
      $.threads.dataset.isolated = String(isolated);
    },

    setBackendError(message: string) {
      setText($.backend, 'Backend: failed');
      $.backend.dataset.state = 'error';
      this.setStatus(message, 'error');
    },

    /**
     * `asking`: persistence was requested and the browser has not answered (Firefox asks the user);
     * `unavailable`: no Storage API (WebKitGTK); IndexedDB then works, best effort.
     */
    setStorage(state: 'persistent' | 'best-effort' | 'asking' | 'unavailable') {
      const label = {
        persistent: 'Storage: persistent',
        'best-effort': 'Storage: best effort',
        asking: 'Storage: best effort (persistence requested, no answer yet)',
        unavailable: 'Storage: best effort (no Storage API in this browser)',
      }[state];
      const badge = el('li', { className: 'badge', attrs: { id: 'badge-storage', 'data-state': state } }, [
        label,
      ]);
      document.getElementById('badge-storage')?.remove();
      $.badges.append(badge);
    },

    setNetwork(online: boolean) {
      setText($.network, online ? 'Online' : 'Offline');
      $.network.dataset.state = online ? 'online' : 'offline';
    },

    setModelProgress(p: DownloadProgress) {
      if (p.done) {
        $.modelBar.value = 1;
        setText($.modelText, p.total > 0 ? `loaded (${formatBytes(p.total)})` : 'loaded');
        return;
      }
      if (p.total > 0) $.modelBar.value = Math.min(1, p.loaded / p.total);
      else $.modelBar.removeAttribute('value');
      setText(
        $.modelText,
        `${formatBytes(p.loaded)} / ${p.total > 0 ? formatBytes(p.total) : '?'} · ${p.file}`,
      );
    },

    setIndexProgress(p: IndexProgress, note = '') {
      $.indexBar.value = p.total > 0 ? p.done / p.total : 1;
      $.indexBar.dataset.done = String(p.done);
      $.indexBar.dataset.total = String(p.total);
      setText($.indexText, `${p.done} / ${p.total}${note ? ` · ${note}` : ''}`);
    },

    setStatus(text: string, tone: Tone = 'info') {
      setText($.status, text);
      $.status.dataset.kind = tone;
    },

    setReady(ready: boolean) {
      $.query.disabled = !ready;
      $.searchButton.disabled = !ready;
      $.pasteAdd.disabled = !ready;
      $.loading.dataset.done = String(ready);
      document.body.dataset.ready = String(ready);
    },

    mode(): SearchMode {
      const checked = $.modes.querySelector<HTMLInputElement>('input[name="mode"]:checked');
      return (checked?.value ?? 'float32') as SearchMode;
    },

    setCounts(vectors: number, dims: number, embeddedThisVisit: number) {
      setText($.count, String(vectors));
      $.count.dataset.value = String(vectors);
      setText($.embedded, String(embeddedThisVisit));
      $.embedded.dataset.value = String(embeddedThisVisit);
      const sizes = indexSizes(vectors, dims);
      setText($.sizeFloat, formatBytes(sizes.float32));
      setText($.sizeInt8, formatBytes(sizes.int8));
      setText($.sizeBinary, formatBytes(sizes.binary));
    },

    setTimings(embedMs: number, searchMs: number, searchBackend: string) {
      setText($.embed, formatMs(embedMs));
      setText($.search, `${formatMs(searchMs)}${searchBackend ? ` · ${searchBackend}` : ''}`);
      $.embed.dataset.ms = String(embedMs);
      $.search.dataset.ms = String(searchMs);
    },

    setRecall(recall: number | null, mode: SearchMode) {
      setText($.recall, recall === null ? '–' : mode === 'float32' ? '1.00 (ref.)' : recall.toFixed(2));
      $.recall.dataset.value = recall === null ? '' : String(recall);
    },

    showResults(hits: readonly Hit[], query: string, mode: SearchMode) {
      renderResults($.results, hits, query, mode);
      setText($.resultsHint, hits.length === 0 ? 'No results.' : `Top ${hits.length} for “${query}”`);
    },

    renderExamples(examples: readonly ExampleQuery[], onPick: (query: string) => void) {
      $.examples.replaceChildren(
        ...examples.map((ex) => {
          const button = el('button', { className: 'example', attrs: { type: 'button', lang: ex.lang } }, [
            ex.query,
            el('small', {}, [ex.note]),
          ]);
          button.addEventListener('click', () => onPick(ex.query));
          return el('li', {}, [button]);
        }),
      );
    },

    renderDocs(docs: readonly UserDoc[], onRemove: (doc: UserDoc) => void) {
      $.docList.replaceChildren(
        ...docs.map((doc) => {
          const remove = el('button', { attrs: { type: 'button', 'aria-label': `Remove ${doc.title}` } }, [
            'Remove',
          ]);
          remove.addEventListener('click', () => onRemove(doc));
          const meta = `${languageName(doc.lang)} · ${doc.chars.toLocaleString()} chars · ${doc.chunks} chunk${
            doc.chunks === 1 ? '' : 's'
          }${doc.truncatedChars > 0 ? ` · ${doc.truncatedChars.toLocaleString()} chars cut` : ''}`;
          return el('li', { attrs: { 'data-id': doc.id } }, [
            el('div', {}, [el('strong', {}, [doc.title]), el('div', { className: 'doc-meta' }, [meta])]),
            remove,
          ]);
        }),
      );
    },

    setDocsReport(text: string, tone: Tone = 'info') {
      setText($.docsReport, text);
      $.docsReport.dataset.kind = tone;
    },
  };
}

/** The view's type. */
export type View = ReturnType<typeof createView>;

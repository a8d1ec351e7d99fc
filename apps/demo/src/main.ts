/**
 * Entry point: cross-origin isolation through the service worker first (it may reload the page
 * once), then the engine, the corpus and the UI.
 */
import './styles.css';
import { runApp } from './app';
import { type RuntimeConfig, runtimeConfig } from './config';
import { loadCorpus, loadExamples } from './corpus/index';
import { createSearchService } from './engine-client';
import { requestPersistentStorage, setUpServiceWorker } from './pwa/register';
import { ASSET_CACHE, RETIRED_CACHES } from './sw/routes';
import { createView, type View } from './ui/view';
import { openDemoDb } from './user-docs';

/** Caches holding model files (ours, earlier versions of ours, and transformers.js' own browser cache). */
const MODEL_CACHES = [ASSET_CACHE, ...RETIRED_CACHES, 'transformers-cache'];

async function resetPage(): Promise<void> {
  if ('caches' in globalThis) await Promise.all(MODEL_CACHES.map((name) => caches.delete(name)));
  location.reload();
}

function showFatal(view: View, err: unknown): void {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  view.setBackendError(`Could not start: ${typeof code === 'string' ? `${code}: ` : ''}${message}`);
  document.body.dataset.error = typeof code === 'string' ? code : 'error';
  console.error(err);
}

async function main(): Promise<void> {
  const view = createView();
  let config: RuntimeConfig;
  try {
    config = runtimeConfig(new URL(location.href));
  } catch (err) {
    showFatal(view, err);
    return;
  }
  const sw = await setUpServiceWorker(config.serviceWorker);
  if (sw === 'reloading') return;
  document.body.dataset.serviceWorker = sw;
  view.setNetwork(navigator.onLine);
  addEventListener('online', () => view.setNetwork(true));
  addEventListener('offline', () => view.setNetwork(false));
  // WebKitGTK has no Storage API; Firefox asks the user and may never answer in a headless run.
  const storageApi = typeof (navigator.storage as StorageManager | undefined)?.persist === 'function';
  view.setStorage(storageApi ? 'asking' : 'unavailable');
  void requestPersistentStorage().then((persistent) => {
    if (storageApi) view.setStorage(persistent ? 'persistent' : 'best-effort');
  });

  try {
    const [corpus, examples, db] = await Promise.all([
      loadCorpus(config.mode),
      loadExamples(config.mode),
      openDemoDb(),
    ]);
    view.setStatus(
      `Loading ${config.model} on ${config.device === 'auto' ? 'the best available backend' : config.device}…`,
    );
    const service = await createSearchService(config, {
      onDownload: (p) => view.setModelProgress(p),
    });
    view.setModelProgress({ file: '', loaded: 0, total: 0, done: true });
    view.setRuntime(service.info, globalThis.crossOriginIsolated === true);
    await runApp({ config, view, service, db, corpus, examples, resetPage });
  } catch (err) {
    showFatal(view, err);
  }
}

void main();

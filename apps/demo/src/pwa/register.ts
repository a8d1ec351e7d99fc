/**
 * Service worker registration (workbox-window) and cross-origin isolation. On a host that cannot
 * send COOP/COEP headers the service worker adds them, but only to pages it controls: so the first
 * visit registers it, waits until it controls the page, and reloads once. A session flag prevents
 * reload loops when isolation still fails (the app then runs single-threaded and says so). The app
 * starts only once the worker controls the page, so first-visit model downloads are cached too.
 */
import { Workbox } from 'workbox-window';

const RELOAD_FLAG = 'webembed-isolation-reload';

/** What happened: `reloading` means the page is about to reload and the app must not start. */
export type ServiceWorkerOutcome = 'reloading' | 'registered' | 'unavailable' | 'failed';

function waitForController(timeoutMs: number): Promise<boolean> {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

/** Registers `sw.js` next to the page and makes the page cross-origin isolated when it can. */
export async function setUpServiceWorker(enabled: boolean): Promise<ServiceWorkerOutcome> {
  if (!enabled || import.meta.env.DEV || !('serviceWorker' in navigator) || !window.isSecureContext) {
    return 'unavailable';
  }
  const scope = new URL('./', document.baseURI).href;
  const wb = new Workbox(new URL('sw.js', scope).href, { scope });
  try {
    await wb.register();
  } catch (err) {
    console.warn('service worker registration failed', err);
    return 'failed';
  }
  // Wait until the worker controls this page (first visit: install + claim), so that the model
  // files fetched next go through it and get cached, even where the host already isolates the page.
  const controlled = await waitForController(15_000);
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(RELOAD_FLAG);
    return 'registered';
  }
  if (!controlled || sessionStorage.getItem(RELOAD_FLAG) === '1') return 'registered';
  sessionStorage.setItem(RELOAD_FLAG, '1');
  location.reload();
  return 'reloading';
}

/** Asks the browser to keep this origin's storage under pressure; resolves to whether it will. */
export async function requestPersistentStorage(): Promise<boolean> {
  if (!navigator.storage?.persist) return false;
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

/**
 * How the service worker treats each request. Kept free of worker globals so it runs in Node tests.
 */

/** `shell`: precached app files; `model`: model weights/tokenizers and the ORT runtime, cached once
 * loaded; `network`: other same-origin GETs (network, then cache); `bypass`: left to the browser. */
export type RouteKind = 'shell' | 'model' | 'network' | 'bypass';

/** Hosts that serve model files: the Hub and the CDNs its downloads redirect to. */
export function isModelHost(hostname: string): boolean {
  return (
    hostname === 'huggingface.co' ||
    hostname.endsWith('.huggingface.co') ||
    hostname === 'hf.co' ||
    hostname.endsWith('.hf.co')
  );
}

/**
 * Classifies one request.
 * @param url the request URL
 * @param method the HTTP method
 * @param scope the service worker scope (the app's base URL, ending with `/`)
 * @param precached absolute URLs (origin + path) of the precached app shell
 * @param isNavigation whether the request loads a page (folder URLs then mean their index.html)
 */
export function classifyRequest(
  url: URL,
  method: string,
  scope: URL,
  precached: ReadonlySet<string>,
  isNavigation = false,
): RouteKind {
  if (method !== 'GET') return 'bypass';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'bypass';
  if (url.origin !== scope.origin) return isModelHost(url.hostname) ? 'model' : 'bypass';
  if (!url.pathname.startsWith(scope.pathname)) return 'bypass';
  const local = url.pathname.slice(scope.pathname.length);
  if (local.startsWith('models/') || local.startsWith('ort/')) return 'model';
  const key = isNavigation ? navigationKey(url) : url.origin + url.pathname;
  if (precached.has(key)) return 'shell';
  return 'network';
}

/** The precache key used for a navigation: the page itself, with `index.html` for folder URLs. */
export function navigationKey(url: URL): string {
  const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
  return url.origin + path;
}

/** A short stable hash (FNV-1a, hex) naming the shell cache for one precache manifest. */
export function manifestHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

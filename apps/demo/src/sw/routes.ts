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

/** Size and SHA-256 (lowercase hex) of one file the build hosts. */
export interface AssetEntry {
  readonly size: number;
  readonly sha256: string;
}

/**
 * The build's file list: every model and runtime file it hosts on the app's origin, keyed by its
 * path under the app's base URL (`ort/ort-wasm-simd-threaded.asyncify.wasm`,
 * `models/<org>/<name>/onnx/model_quantized.onnx`).
 */
export type AssetList = Readonly<Record<string, AssetEntry>>;

/** The Hub model a build loads when its files come from the Hugging Face Hub. */
export interface HubModel {
  readonly id: string;
  readonly revision: string;
}

/** The cache holding verified model and runtime files. */
export const ASSET_CACHE = 'webembed-assets-v2';

/** Caches of earlier versions, deleted when a worker activates (v1 kept unhashed ort files forever). */
export const RETIRED_CACHES: readonly string[] = ['webembed-models-v1'];

/** How one model or runtime request is cached. */
export type AssetPlan =
  /** A file of the build's list: cached under its path plus its SHA-256, checked against both. */
  | { readonly kind: 'hosted'; readonly key: string; readonly expected: AssetEntry }
  /** A Hub file (`<model id>/resolve/<revision>/<file>`): cached under that URL, checked against the response's size and ETag. */
  | { readonly kind: 'hub'; readonly key: string; readonly model: string; readonly revision: string }
  /** Anything else (a file missing from the list, a CDN URL): network only, never cached. */
  | { readonly kind: 'uncached' };

/** `decodeURIComponent`, or null for a malformed escape (`%E0%A4%A`). */
function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Model id and revision of a Hub `resolve` URL, or null. */
export function hubFile(url: URL): { model: string; revision: string; file: string } | null {
  if (url.hostname !== 'huggingface.co' && url.hostname !== 'hf.co') return null;
  const parts = url.pathname.split('/').filter(Boolean).map(decoded);
  const at = parts.indexOf('resolve');
  if (at < 1 || at > 2 || parts.length < at + 3 || parts.includes(null)) return null;
  const text = parts as string[];
  return { model: text.slice(0, at).join('/'), revision: text[at + 1], file: text.slice(at + 2).join('/') };
}

/** Decides how a request classified `model` is cached (see {@link AssetPlan}). */
export function assetPlan(url: URL, scope: URL, assets: AssetList): AssetPlan {
  if (url.origin === scope.origin) {
    if (!url.pathname.startsWith(scope.pathname)) return { kind: 'uncached' };
    const local = decoded(url.pathname.slice(scope.pathname.length));
    const expected = local !== null && Object.hasOwn(assets, local) ? assets[local] : undefined;
    if (!expected) return { kind: 'uncached' };
    return { kind: 'hosted', key: `${url.origin}${url.pathname}?sha256=${expected.sha256}`, expected };
  }
  const hub = hubFile(url);
  if (hub === null) return { kind: 'uncached' };
  return { kind: 'hub', key: url.origin + url.pathname, model: hub.model, revision: hub.revision };
}

/** What a response says its body must be: its size, and a SHA-256 when its ETag is one. */
export function expectedFromHeaders(headers: Headers): { size?: number; sha256?: string } {
  const out: { size?: number; sha256?: string } = {};
  const size = headers.get('x-linked-size') ?? headers.get('content-length');
  if (size !== null && /^\d+$/.test(size.trim())) out.size = Number(size.trim());
  // Hub LFS files: the ETag (or X-Linked-Etag, before a redirect) is the file's SHA-256.
  const etag = (headers.get('x-linked-etag') ?? headers.get('etag') ?? '')
    .replace(/^W\//, '')
    .replace(/"/g, '');
  if (/^[0-9a-f]{64}$/i.test(etag)) out.sha256 = etag.toLowerCase();
  return out;
}

/** Lowercase hex SHA-256 of `bytes` (Web Crypto). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Why `bytes` fail the expected size or SHA-256, or null when they match (or nothing is expected). */
export async function integrityProblem(
  bytes: ArrayBuffer,
  expected: { readonly size?: number; readonly sha256?: string },
): Promise<string | null> {
  if (expected.size !== undefined && bytes.byteLength !== expected.size) {
    return `${bytes.byteLength} bytes, expected ${expected.size}`;
  }
  if (expected.sha256 !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== expected.sha256) return `SHA-256 ${actual}, expected ${expected.sha256}`;
  }
  return null;
}

/**
 * Keys of the asset cache this build no longer uses: hosted files whose path or SHA-256 left the
 * list (an upgraded ort runtime, a replaced model), and Hub files of another model or revision.
 */
export function staleAssetKeys(
  keys: readonly string[],
  scope: URL,
  assets: AssetList,
  hub: HubModel | null,
): string[] {
  return keys.filter((key) => {
    const url = new URL(key);
    const plan = assetPlan(url, scope, assets);
    if (plan.kind === 'hosted') return plan.key !== key;
    if (plan.kind === 'hub') return hub === null || plan.model !== hub.id || plan.revision !== hub.revision;
    return true;
  });
}

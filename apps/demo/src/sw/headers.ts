/**
 * Cross-origin isolation added by the service worker, for hosts that cannot set response headers
 * (GitHub Pages). With COOP `same-origin` and COEP `require-corp` on the page, `crossOriginIsolated`
 * becomes true and onnxruntime can use SharedArrayBuffer threads.
 */

/** Headers the service worker sets on every same-origin response it hands to the page. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * A copy of `response` with the isolation headers set. Opaque responses (no-cors, status 0) and
 * opaque redirects cannot be rebuilt and are returned unchanged.
 */
export function withIsolationHeaders(response: Response): Response {
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') {
    return response;
  }
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

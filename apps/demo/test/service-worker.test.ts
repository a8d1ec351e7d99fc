import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, withIsolationHeaders } from '../src/sw/headers';
import { classifyRequest, isModelHost, manifestHash, navigationKey } from '../src/sw/routes';

const scope = new URL('https://user.github.io/webembed/');
const precached = new Set([
  'https://user.github.io/webembed/index.html',
  'https://user.github.io/webembed/assets/index-abc.js',
]);
const kind = (url: string, method = 'GET', nav = false) =>
  classifyRequest(new URL(url), method, scope, precached, nav);

describe('classifyRequest', () => {
  it('serves precached shell files and folder navigations from the shell', () => {
    expect(kind('https://user.github.io/webembed/assets/index-abc.js')).toBe('shell');
    expect(kind('https://user.github.io/webembed/?device=wasm', 'GET', true)).toBe('shell');
    expect(kind('https://user.github.io/webembed/', 'GET', false)).toBe('network');
  });
  it('caches model files and the ORT runtime on this origin and on the Hub', () => {
    expect(kind('https://user.github.io/webembed/models/org/m/onnx/model_quantized.onnx')).toBe('model');
    expect(kind('https://user.github.io/webembed/ort/ort-wasm-simd-threaded.asyncify.wasm')).toBe('model');
    expect(kind('https://huggingface.co/Xenova/multilingual-e5-small/resolve/main/config.json')).toBe(
      'model',
    );
    expect(kind('https://cas-bridge.xethub.hf.co/xet-bridge-us/abc')).toBe('model');
  });
  it('leaves other origins, other scopes, non-GET and non-http requests alone', () => {
    expect(kind('https://evil.example/huggingface.co/x')).toBe('bypass');
    expect(kind('https://user.github.io/other-app/index.html')).toBe('bypass');
    expect(kind('https://user.github.io/webembed/assets/index-abc.js', 'POST')).toBe('bypass');
    expect(kind('https://user.github.io/webembed/unknown.json')).toBe('network');
    expect(classifyRequest(new URL('data:text/plain,hi'), 'GET', scope, precached)).toBe('bypass');
  });
  it('recognizes the Hub and its CDNs only', () => {
    expect(isModelHost('huggingface.co')).toBe(true);
    expect(isModelHost('cdn-lfs.huggingface.co')).toBe(true);
    expect(isModelHost('nothuggingface.co')).toBe(false);
    expect(isModelHost('hf.co.evil.example')).toBe(false);
  });
  it('maps folder navigations to index.html', () => {
    expect(navigationKey(new URL('https://a.b/app/?q=1'))).toBe('https://a.b/app/index.html');
    expect(navigationKey(new URL('https://a.b/app/page.html'))).toBe('https://a.b/app/page.html');
  });
  it('hashes manifests stably', () => {
    expect(manifestHash('abc')).toBe(manifestHash('abc'));
    expect(manifestHash('abc')).not.toBe(manifestHash('abd'));
    expect(manifestHash('')).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('withIsolationHeaders', () => {
  it('adds COOP, COEP and CORP and keeps status, body and other headers', async () => {
    const original = new Response('hello', {
      status: 201,
      statusText: 'Created',
      headers: { 'Content-Type': 'text/plain' },
    });
    const wrapped = withIsolationHeaders(original);
    for (const [name, value] of Object.entries(ISOLATION_HEADERS))
      expect(wrapped.headers.get(name)).toBe(value);
    expect(wrapped.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(wrapped.status).toBe(201);
    expect(wrapped.statusText).toBe('Created');
    expect(wrapped.headers.get('Content-Type')).toBe('text/plain');
    expect(await wrapped.text()).toBe('hello');
  });
  it('keeps bodiless responses bodiless', () => {
    expect(withIsolationHeaders(new Response(null, { status: 204 })).status).toBe(204);
  });
  it('returns opaque responses unchanged', () => {
    const opaque = { status: 0, type: 'opaque' } as Response;
    expect(withIsolationHeaders(opaque)).toBe(opaque);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type FetchLike,
  describeBadResponses,
  diagnoseRuntimeFiles,
  watchFetches,
} from '../src/load-diagnostics.js';

// What a failed load says about the URLs that broke it (the browser tests drive the same code
// through real loads; here the cases are built one by one).
function answering(responses: Record<string, () => Response>): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (input) => {
      const url = String(input);
      calls.push(url);
      const make = responses[url];
      if (!make) throw new Error(`unexpected fetch ${url}`);
      return make();
    },
  };
}

const html = () => new Response('<!doctype html><p>app', { headers: { 'content-type': 'text/html' } });
const json = () => new Response('{}', { headers: { 'content-type': 'application/json' } });
const missing = () => new Response('nope', { status: 404, statusText: 'Not Found' });

describe('watchFetches', () => {
  it('records 404s and web pages, hands a web page on as a 404, and leaves good answers alone', async () => {
    const target = answering({
      '/m/config.json': json,
      '/m/tokenizer.json': html,
      '/m/onnx/model.onnx': missing,
    });
    const watch = watchFetches(target);
    expect((await target.fetch('/m/config.json')).status).toBe(200);
    const page = await target.fetch('/m/tokenizer.json');
    expect(page.status).toBe(404);
    expect(page.statusText).toMatch(/web page/);
    expect((await target.fetch('/m/onnx/model.onnx')).status).toBe(404);
    watch.stop();
    expect(watch.bad.map((b) => b.url)).toEqual(['/m/tokenizer.json', '/m/onnx/model.onnx']);
    expect(watch.bad[0].problem).toMatch(/served as text\/html/);
    expect(watch.bad[1].problem).toBe('answered 404 Not Found');
    expect(describeBadResponses(watch.bad)).toBe(
      `; /m/tokenizer.json ${watch.bad[0].problem}; /m/onnx/model.onnx answered 404 Not Found`,
    );
  });

  it('wraps the hook once, gives each load its own log, and stops recording after stop()', async () => {
    const target = answering({ '/a': missing });
    const first = watchFetches(target);
    const hook = target.fetch;
    const second = watchFetches(target);
    expect(target.fetch).toBe(hook);
    await target.fetch('/a');
    first.stop();
    await target.fetch('/a');
    second.stop();
    await target.fetch('/a');
    expect(first.bad).toHaveLength(1);
    expect(second.bad).toHaveLength(2);
    expect(describeBadResponses([])).toBe('');
  });
});

describe('diagnoseRuntimeFiles', () => {
  const mjs = 'data:text/javascript,export default 1';
  const wasm = 'data:application/wasm;base64,AGFzbQEAAAA=';

  it('finds nothing wrong with a JavaScript module and a WebAssembly binary', async () => {
    expect(await diagnoseRuntimeFiles({ mjs, wasm })).toEqual([]);
  });

  it('names a .wasm that is a web page, and one that is not WebAssembly', async () => {
    const page = 'data:text/html,<!doctype html>';
    const text = 'data:application/octet-stream;base64,PCFkb2N0eXBl';
    const found = await diagnoseRuntimeFiles({ mjs, wasm: page });
    expect(found).toEqual([{ url: page, problem: expect.stringMatching(/served as text\/html/) }]);
    const notWasm = await diagnoseRuntimeFiles({ mjs, wasm: text });
    expect(notWasm[0].problem).toBe(
      'is not a WebAssembly module (it starts with 3c 21 64 6f, not 00 61 73 6d)',
    );
  });

  it('names a runtime file that cannot be fetched at all', async () => {
    const found = await diagnoseRuntimeFiles({ mjs: 'http://127.0.0.1:9/ort.mjs', wasm });
    expect(found).toHaveLength(1);
    expect(found[0].url).toBe('http://127.0.0.1:9/ort.mjs');
    expect(found[0].problem).toMatch(/could not be fetched/);
  });
});

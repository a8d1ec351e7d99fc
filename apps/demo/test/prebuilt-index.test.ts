import { describe, expect, it } from 'vitest';
import { parseIndexUrl, runtimeConfig } from '../src/config';
import { fetchIndexFile, indexFileName, prebuiltIsCurrent } from '../src/prebuilt-index';
import { testBuild as build } from './test-build';

const page = new URL('https://example.github.io/webembed/');

function fakeFetch(
  body: Uint8Array<ArrayBuffer> | null,
  init: ResponseInit & { length?: number } = {},
): typeof fetch {
  return async () => {
    const headers = new Headers(init.headers);
    if (init.length !== undefined) headers.set('Content-Length', String(init.length));
    return new Response(body, { status: init.status ?? 200, headers });
  };
}

describe('?index= and the build option', () => {
  it('accepts same-origin URLs, relative or absolute, and ignores an empty value', () => {
    expect(parseIndexUrl('docs.webembed', page)).toBe('https://example.github.io/webembed/docs.webembed');
    expect(parseIndexUrl('/x/a.webembed', page)).toBe('https://example.github.io/x/a.webembed');
    expect(parseIndexUrl(null, page)).toBeNull();
    expect(parseIndexUrl('  ', page)).toBeNull();
  });
  it('refuses another origin with INVALID_ARGUMENT naming it', () => {
    expect(() => parseIndexUrl('https://evil.example/a.webembed', page)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', name: 'WebEmbedError' }),
    );
    expect(() => parseIndexUrl('https://evil.example/a.webembed', page)).toThrow(/evil\.example/);
    expect(() => parseIndexUrl('http://[bad', page)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
  it('uses the URL parameter over the build setting and a collection of its own', () => {
    const plain = runtimeConfig(page, build);
    expect(plain.prebuiltIndexUrl).toBeNull();
    expect(plain.collection).toBe('demo-test-webembed-fixtures-crosslingual-bert');
    const built = runtimeConfig(page, { ...build, prebuiltIndex: 'prebuilt/docs.webembed' });
    expect(built.prebuiltIndexUrl).toBe('https://example.github.io/webembed/prebuilt/docs.webembed');
    expect(built.collection).toBe('demo-test-webembed-fixtures-crosslingual-bert-prebuilt');
    const asked = runtimeConfig(new URL('?index=other.webembed', page), {
      ...build,
      prebuiltIndex: 'prebuilt/docs.webembed',
    });
    expect(asked.prebuiltIndexUrl).toBe('https://example.github.io/webembed/other.webembed');
  });
});

describe('prebuiltIsCurrent', () => {
  const mark = { collection: 'c', url: 'https://o/a.webembed', rows: 7 };
  it('is true only for the same collection, file and intact rows', () => {
    expect(prebuiltIsCurrent(mark, 'c', mark.url, 7)).toBe(true);
    expect(prebuiltIsCurrent(mark, 'c', mark.url, 9)).toBe(true);
    expect(prebuiltIsCurrent(mark, 'c', mark.url, 6)).toBe(false);
    expect(prebuiltIsCurrent(mark, 'c', 'https://o/b.webembed', 7)).toBe(false);
    expect(prebuiltIsCurrent(mark, 'd', mark.url, 7)).toBe(false);
    expect(prebuiltIsCurrent(undefined, 'c', mark.url, 7)).toBe(false);
  });
  it('names the file by its last path segment', () => {
    expect(indexFileName('https://o/x/my%20docs.webembed?v=1')).toBe('my docs.webembed');
  });
});

describe('fetchIndexFile', () => {
  it('returns the bytes and reports progress up to the announced length', async () => {
    const body = new Uint8Array([1, 2, 3, 4, 5]);
    const seen: Array<[number, number]> = [];
    const bytes = await fetchIndexFile(
      'https://o/a',
      (p) => seen.push([p.loaded, p.total]),
      fakeFetch(body, { length: 5 }),
    );
    expect([...bytes]).toEqual([1, 2, 3, 4, 5]);
    expect(seen[0]).toEqual([0, 5]);
    expect(seen.at(-1)).toEqual([5, 5]);
  });
  it('works without a Content-Length', async () => {
    const seen: number[] = [];
    const bytes = await fetchIndexFile(
      'https://o/a',
      (p) => seen.push(p.total),
      fakeFetch(new Uint8Array([9, 8])),
    );
    expect([...bytes]).toEqual([9, 8]);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(2);
  });
  it('maps HTTP and network failures to typed errors', async () => {
    await expect(
      fetchIndexFile('https://o/a', undefined, fakeFetch(null, { status: 404 })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/HTTP 404/),
    });
    await expect(
      fetchIndexFile('https://o/a', undefined, fakeFetch(null, { status: 500 })),
    ).rejects.toMatchObject({
      code: 'REMOTE_FAILED',
    });
    const failing: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchIndexFile('https://o/a', undefined, failing)).rejects.toMatchObject({
      code: 'REMOTE_FAILED',
      message: expect.stringMatching(/Failed to fetch/),
    });
  });
  it('refuses an empty or cut-short body with CORRUPT_FILE', async () => {
    await expect(
      fetchIndexFile('https://o/a', undefined, fakeFetch(new Uint8Array(0))),
    ).rejects.toMatchObject({
      code: 'CORRUPT_FILE',
    });
    await expect(
      fetchIndexFile('https://o/a', undefined, fakeFetch(new Uint8Array([1, 2]), { length: 10 })),
    ).rejects.toMatchObject({
      code: 'CORRUPT_FILE',
      message: expect.stringMatching(/after 2 bytes; expected 10/),
    });
  });
});

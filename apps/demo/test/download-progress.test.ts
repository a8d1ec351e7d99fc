import { describe, expect, it } from 'vitest';
import { createDownloadTracker, singleThreadReason, threadsFor } from '../src/download-progress';
import type { DownloadProgress } from '../src/search-service';

describe('createDownloadTracker', () => {
  it('sums bytes over files and reports done on ready', () => {
    const seen: DownloadProgress[] = [];
    const track = createDownloadTracker((p) => seen.push(p));
    track({ status: 'initiate', file: 'config.json' });
    track({ status: 'progress', file: 'config.json', loaded: 50, total: 100 });
    track({ status: 'progress', file: 'onnx/model.onnx', loaded: 200, total: 1000 });
    expect(seen.at(-1)).toEqual({ file: 'onnx/model.onnx', loaded: 250, total: 1100, done: false });
    track({ status: 'done', file: 'config.json' });
    expect(seen.at(-1)).toMatchObject({ loaded: 300, total: 1100 });
    track({ status: 'progress', file: 'onnx/model.onnx', loaded: 1000, total: 1000 });
    track({ status: 'ready' });
    expect(seen.at(-1)).toMatchObject({ loaded: 1100, total: 1100, done: true });
  });

  it('keeps the last known size when an event omits it', () => {
    const seen: DownloadProgress[] = [];
    const track = createDownloadTracker((p) => seen.push(p));
    track({ status: 'progress', file: 'a', loaded: 10, total: 40 });
    track({ status: 'progress', file: 'a', loaded: 20 });
    expect(seen.at(-1)).toMatchObject({ loaded: 20, total: 40 });
  });
});

describe('threadsFor', () => {
  it('asks for one thread without isolation and up to four with it', () => {
    expect(threadsFor(false, 16)).toBe(1);
    expect(threadsFor(true, 2)).toBe(2);
    expect(threadsFor(true, 16)).toBe(4);
    expect(threadsFor(true, 0)).toBe(1);
    // Isolated, but no SharedArrayBuffer (WebKitGTK): one thread.
    expect(threadsFor(true, 16, false)).toBe(1);
  });

  it('says why WASM runs on one thread', () => {
    expect(singleThreadReason(false, true)).toBe('not cross-origin isolated');
    expect(singleThreadReason(true, false)).toBe('no SharedArrayBuffer in this browser');
    expect(singleThreadReason(true, true)).toBeNull();
  });
});

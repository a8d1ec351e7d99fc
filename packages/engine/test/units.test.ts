import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { createEmbeddingCache } from '../src/cache.js';
import {
  BGE_PREFIXES,
  E5_PREFIXES,
  PRESETS,
  applyEnv,
  defaultWasmThreads,
  backendCandidates,
  fingerprintOf,
  planBatches,
  resolvePreset,
  sha256Hex,
} from '../src/index.js';
import { assertTexts } from '../src/inputs.js';
import { poolInto } from '../src/pooling.js';
import { createSerialQueue } from '../src/queue.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isWebEmbedError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return 'no error';
}

describe('presets', () => {
  it('registers the three real presets with their pooling and prefixes', () => {
    expect(PRESETS.get('Xenova/all-MiniLM-L6-v2')).toMatchObject({
      dims: 384,
      pooling: 'mean',
      maxTokens: 256,
    });
    expect(PRESETS.get('Xenova/all-MiniLM-L6-v2')?.prefixes.name).toBe('none');
    expect(PRESETS.get('Xenova/multilingual-e5-small')).toMatchObject({
      dims: 384,
      pooling: 'mean',
      prefixes: E5_PREFIXES,
    });
    expect(E5_PREFIXES).toMatchObject({ query: 'query: ', passage: 'passage: ' });
    expect(PRESETS.get('Xenova/bge-small-en-v1.5')).toMatchObject({
      dims: 384,
      pooling: 'cls',
      prefixes: BGE_PREFIXES,
    });
    expect(BGE_PREFIXES.query).toBe('Represent this sentence for searching relevant passages: ');
    expect(BGE_PREFIXES.passage).toBe('');
    expect(PRESETS.get('webembed-fixtures/crosslingual-bert')?.languages).toEqual(['en', 'fr', 'de', 'es']);
  });

  it('resolves unknown models from explicit options and refuses bad ones', () => {
    const custom = resolvePreset('me/my-model', { dims: 768, pooling: 'cls' });
    expect(custom).toMatchObject({
      modelId: 'me/my-model',
      dims: 768,
      pooling: 'cls',
      normalize: true,
      maxTokens: 512,
    });
    expect(codeOf(() => resolvePreset('me/my-model'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolvePreset(''))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolvePreset('me/x', { dims: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolvePreset('me/x', { dims: 8, pooling: 'max' as 'mean' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => resolvePreset('me/x', { dims: 8, maxTokens: 2 }))).toBe('INVALID_ARGUMENT');
  });

  it('derives the fingerprint from preset, dtype, revision and Matryoshka width', () => {
    const e5 = resolvePreset('Xenova/multilingual-e5-small');
    const fp: ModelFingerprint = fingerprintOf(e5, 'q8', 'abc123', null);
    expect(fp).toEqual({
      modelId: 'Xenova/multilingual-e5-small',
      revision: 'abc123',
      dims: 384,
      pooling: 'mean',
      normalized: true,
      prefixScheme: 'e5',
      matryoshkaDims: null,
      dtype: 'q8',
    });
    expect(codeOf(() => fingerprintOf(e5, 'q8', '', 128))).toBe('INVALID_ARGUMENT');
    const mini = resolvePreset('webembed-fixtures/mini-bert');
    expect(fingerprintOf(mini, 'fp32', '', 16).dims).toBe(16);
    expect(codeOf(() => fingerprintOf(mini, 'fp32', '', 64))).toBe('INVALID_ARGUMENT');
  });
});

describe('device choice', () => {
  it('maps requests to backends per runtime', () => {
    expect(backendCandidates('auto', true)).toEqual(['cpu']);
    expect(backendCandidates('wasm', true)).toEqual(['cpu']);
    expect(codeOf(() => backendCandidates('webgpu', true))).toBe('GPU_UNAVAILABLE');
    expect(backendCandidates('auto', false)).toEqual(['webgpu', 'wasm']);
    expect(backendCandidates('webgpu', false)).toEqual(['webgpu']);
    expect(backendCandidates('cpu', false)).toEqual(['wasm']);
    expect(codeOf(() => backendCandidates('gpu' as 'auto', false))).toBe('INVALID_ARGUMENT');
  });
});

describe('env', () => {
  it('copies the configuration into transformers.js env and validates it', () => {
    const target = {
      allowRemoteModels: true,
      allowLocalModels: false,
      localModelPath: '',
      remoteHost: '',
      useBrowserCache: true,
      backends: { onnx: { wasm: {} as { wasmPaths?: unknown; numThreads?: number } } },
    };
    applyEnv(target, {
      localModelPath: '/m/',
      wasmPaths: { mjs: '/a.mjs', wasm: '/a.wasm' },
      numThreads: 2,
      useBrowserCache: false,
    });
    expect(target).toMatchObject({
      allowRemoteModels: false,
      allowLocalModels: true,
      localModelPath: '/m/',
      useBrowserCache: false,
    });
    expect(target.backends.onnx.wasm).toEqual({
      wasmPaths: { mjs: '/a.mjs', wasm: '/a.wasm' },
      numThreads: 2,
    });
    expect(codeOf(() => applyEnv(target, { localModelPath: '' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyEnv(target, { maxTextChars: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyEnv(target, { numThreads: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => applyEnv(target, { numThreads: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() =>
        applyEnv(target, { wasmPaths: { mjs: '/a.mjs' } as unknown as { mjs: string; wasm: string } }),
      ),
    ).toBe('INVALID_ARGUMENT');
    // numThreads null: the default for this context (Node is not cross-origin isolated: 1).
    applyEnv(target, { numThreads: null });
    expect(target.backends.onnx.wasm.numThreads).toBe(1);
  });

  it('defaults WASM threads to min(4, cores) only when cross-origin isolated', () => {
    const cores = (n: number | undefined) => ({ hardwareConcurrency: n });
    expect(defaultWasmThreads({ crossOriginIsolated: false, navigator: cores(16) })).toBe(1);
    expect(defaultWasmThreads({ navigator: cores(16) })).toBe(1);
    expect(defaultWasmThreads({ crossOriginIsolated: true, navigator: cores(2) })).toBe(2);
    expect(defaultWasmThreads({ crossOriginIsolated: true, navigator: cores(16) })).toBe(4);
    expect(defaultWasmThreads({ crossOriginIsolated: true, navigator: cores(undefined) })).toBe(1);
  });
});

describe('input checks', () => {
  it('types every bad input', () => {
    expect(codeOf(() => assertTexts([], 10))).toBe('EMPTY_BATCH');
    expect(codeOf(() => assertTexts(null, 10))).toBe('NOT_A_STRING');
    expect(codeOf(() => assertTexts(['a', null], 10))).toBe('NOT_A_STRING');
    expect(codeOf(() => assertTexts(['\n\t '], 10))).toBe('EMPTY_TEXT');
    expect(codeOf(() => assertTexts(['x'.repeat(11)], 10))).toBe('TEXT_TOO_LONG');
    expect(codeOf(() => assertTexts(['x'.repeat(10)], 10))).toBe('no error');
  });
});

describe('batching, queue, cache, hashing, pooling', () => {
  it('buckets by length stably and restores nothing itself (the caller maps rows back)', () => {
    const plan = planBatches([5, 1, 9, 1, 3], 2, true).map((b) => Array.from(b));
    expect(plan).toEqual([[1, 3], [4, 0], [2]]);
    expect(planBatches([5, 1, 9], 2, false).map((b) => Array.from(b))).toEqual([[0, 1], [2]]);
  });

  it('runs queued tasks one at a time, in order, past failures', async () => {
    const queue = createSerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string, fail = false) =>
      queue(async () => {
        running++;
        expect(running).toBe(1);
        await new Promise((r) => setTimeout(r, 2));
        log.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a'), task('b', true), task('c')]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('evicts the least recently used cache entry and counts hits', () => {
    const cache = createEmbeddingCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache).toMatchObject({ size: 2, hits: 2, misses: 1 });
    const off = createEmbeddingCache<number>(0);
    off.set('a', 1);
    expect(off.size).toBe(0);
  });

  it('hashes with SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('mean-pools only unmasked tokens, CLS takes token 0, normalizes, and refuses zero vectors', () => {
    // batch 2, seq 3, width 2; row 1 has one padding token
    const data = Float32Array.from([1, 0, 3, 0, 5, 0, 0, 2, 0, 4, 9, 9]);
    const mask = [1, 1, 1, 1, 1, 0];
    const out = new Float32Array(4);
    poolInto({ data, batch: 2, seq: 3, width: 2, mask }, 'mean', 2, false, out, [0, 1]);
    expect(Array.from(out)).toEqual([3, 0, 0, 3]);
    poolInto({ data, batch: 2, seq: 3, width: 2, mask }, 'cls', 2, true, out, [1, 0]);
    expect(Array.from(out)).toEqual([0, 1, 1, 0]);
    const zeros = { data: new Float32Array(6), batch: 1, seq: 3, width: 2, mask: [1, 1, 1] };
    expect(codeOf(() => poolInto(zeros, 'mean', 2, true, out, [0]))).toBe('ZERO_VECTOR');
    expect(codeOf(() => poolInto(zeros, 'mean', 3, true, out, [0]))).toBe('DIMENSION_MISMATCH');
  });
});

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assetList } from '../build/assets-plugin';
import type { DemoBuildConfig } from '../src/build-config';
import {
  ASSET_CACHE,
  type AssetList,
  assetPlan,
  expectedFromHeaders,
  hubFile,
  integrityProblem,
  staleAssetKeys,
} from '../src/sw/routes';
import { MemoryCaches, type Network, loadWorker } from './sw-harness';
import { testBuild } from './test-build';

const SCOPE = 'https://user.github.io/webembed/';
const ORT = `${SCOPE}ort/ort-wasm-simd-threaded.asyncify.wasm`;
const CONFIG = `${SCOPE}models/org/m/config.json`;
const HUB = 'https://huggingface.co/Xenova/multilingual-e5-small/resolve/main/onnx/model_quantized.onnx';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const entry = (bytes: Uint8Array) => ({ size: bytes.byteLength, sha256: sha256(bytes) });
const bytesOf = (text: string) => new TextEncoder().encode(text);
const ok =
  (bytes: Uint8Array, headers: Record<string, string> = {}) =>
  () =>
    new Response(bytes.slice(), { status: 200, headers });

const localBuild: DemoBuildConfig = { ...testBuild, model: 'org/m' };
const hubBuild: DemoBuildConfig = {
  ...localBuild,
  model: 'Xenova/multilingual-e5-small',
  modelBase: null,
  allowRemoteModels: true,
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('service worker model cache (the real src/sw.ts in a fake worker scope)', () => {
  const runtimeV1 = bytesOf('ort runtime, version 1');
  const runtimeV2 = bytesOf('ort runtime, version 2 (same URL, new bytes)');
  const config = bytesOf('{"model_type":"bert"}');

  it('caches a listed file under its SHA-256 once it checks out, and serves it offline', async () => {
    const caches = new MemoryCaches();
    const network: Network = new Map([
      [ORT, ok(runtimeV1)],
      [CONFIG, ok(config)],
    ]);
    const assets: AssetList = {
      'ort/ort-wasm-simd-threaded.asyncify.wasm': entry(runtimeV1),
      'models/org/m/config.json': entry(config),
    };
    const worker = await loadWorker({ scope: SCOPE, assets, build: localBuild, caches, network });
    await worker.install();
    await worker.activate();
    expect(new Uint8Array(await (await worker.get(ORT)).arrayBuffer())).toEqual(runtimeV1);
    const keys = (await (await caches.open(ASSET_CACHE)).keys()).map((r) => r.url);
    expect(keys).toEqual([`${ORT}?sha256=${sha256(runtimeV1)}`]);
    network.clear(); // offline
    expect(new Uint8Array(await (await worker.get(ORT)).arrayBuffer())).toEqual(runtimeV1);
    expect(worker.fetched).toEqual([ORT]);
  });

  it('never caches bytes that fail their size or SHA-256 (truncated, altered, or another version)', async () => {
    const assets: AssetList = { 'ort/ort-wasm-simd-threaded.asyncify.wasm': entry(runtimeV1) };
    const truncated = runtimeV1.slice(0, 10);
    const altered = runtimeV1.slice();
    altered[3] ^= 1;
    for (const served of [truncated, altered, runtimeV2]) {
      const caches = new MemoryCaches();
      const network: Network = new Map([[ORT, ok(served)]]);
      const worker = await loadWorker({ scope: SCOPE, assets, build: localBuild, caches, network });
      await worker.activate();
      await worker.get(ORT); // the page gets the network's answer as before...
      expect((await (await caches.open(ASSET_CACHE)).keys()).length).toBe(0); // ...but nothing is kept
      expect(worker.messages).toEqual([expect.objectContaining({ type: 'webembed-integrity', url: ORT })]);
      await worker.get(ORT);
      expect(worker.fetched).toEqual([ORT, ORT]); // and the next load asks the network again
    }
  });

  it('after an upgrade serves the new runtime, never the old one, and drops the old entries', async () => {
    const caches = new MemoryCaches();
    // What the previous worker generation left: the runtime under its bare URL in webembed-models-v1.
    await (await caches.open('webembed-models-v1')).put(ORT, new Response(runtimeV1.slice()));
    const network: Network = new Map([[ORT, ok(runtimeV1)]]);
    const deployed = (runtime: Uint8Array) =>
      loadWorker({
        scope: SCOPE,
        assets: { 'ort/ort-wasm-simd-threaded.asyncify.wasm': entry(runtime) },
        build: localBuild,
        caches,
        network,
      });
    const v1 = await deployed(runtimeV1);
    await v1.activate();
    expect(await caches.has('webembed-models-v1')).toBe(false);
    await v1.get(ORT);

    network.set(ORT, ok(runtimeV2)); // the new deployment
    const v2 = await deployed(runtimeV2);
    await v2.install();
    await v2.activate();
    const keys = async () => (await (await caches.open(ASSET_CACHE)).keys()).map((r) => r.url);
    expect(await keys()).toEqual([]); // v1's runtime is gone
    expect(new Uint8Array(await (await v2.get(ORT)).arrayBuffer())).toEqual(runtimeV2);
    expect(await keys()).toEqual([`${ORT}?sha256=${sha256(runtimeV2)}`]);
    network.clear();
    expect(new Uint8Array(await (await v2.get(ORT)).arrayBuffer())).toEqual(runtimeV2);
  });

  it('keys Hub files by model id and revision, checks size and SHA-256 ETag, drops other revisions', async () => {
    const weights = bytesOf('onnx weights');
    const caches = new MemoryCaches();
    const network: Network = new Map([
      [HUB, ok(weights, { etag: `"${sha256(weights)}"`, 'content-length': String(weights.length) })],
    ]);
    const worker = await loadWorker({ scope: SCOPE, assets: {}, build: hubBuild, caches, network });
    await worker.activate();
    await worker.get(HUB);
    expect((await (await caches.open(ASSET_CACHE)).keys()).map((r) => r.url)).toEqual([HUB]);
    network.clear();
    expect(new Uint8Array(await (await worker.get(HUB)).arrayBuffer())).toEqual(weights);

    // A response whose bytes disagree with its own ETag is not kept.
    const other = new MemoryCaches();
    network.set(HUB, ok(weights, { etag: `"${sha256(bytesOf('something else'))}"` }));
    const strict = await loadWorker({ scope: SCOPE, assets: {}, build: hubBuild, caches: other, network });
    await strict.get(HUB);
    expect((await (await other.open(ASSET_CACHE)).keys()).length).toBe(0);

    // A build pinned to another revision drops the files of `main`.
    const pinned = await loadWorker({
      scope: SCOPE,
      assets: {},
      build: { ...hubBuild, modelRevision: '0123456789abcdef0123456789abcdef01234567' },
      caches,
      network,
    });
    await pinned.activate();
    expect((await (await caches.open(ASSET_CACHE)).keys()).length).toBe(0);
  });
});

describe('model cache routing and checks', () => {
  const scope = new URL(SCOPE);
  const assets: AssetList = { 'ort/a.wasm': { size: 3, sha256: 'ab'.repeat(32) } };

  it('plans hosted files by their listed hash, Hub files by URL, anything else uncached', () => {
    expect(assetPlan(new URL(`${SCOPE}ort/a.wasm?v=1`), scope, assets)).toEqual({
      kind: 'hosted',
      key: `${SCOPE}ort/a.wasm?sha256=${'ab'.repeat(32)}`,
      expected: assets['ort/a.wasm'],
    });
    expect(assetPlan(new URL(`${SCOPE}ort/unlisted.wasm`), scope, assets).kind).toBe('uncached');
    expect(assetPlan(new URL(`${SCOPE}ort/constructor`), scope, assets).kind).toBe('uncached');
    expect(assetPlan(new URL(`${SCOPE}ort/%E0%A4%A`), scope, assets).kind).toBe('uncached');
    expect(hubFile(new URL('https://huggingface.co/a/b/resolve/%E0%A4%A/x.json'))).toBeNull();
    expect(assetPlan(new URL(`${HUB}?download=true`), scope, assets)).toMatchObject({
      kind: 'hub',
      key: HUB,
      model: 'Xenova/multilingual-e5-small',
      revision: 'main',
    });
    expect(assetPlan(new URL('https://cas-bridge.xethub.hf.co/xet/abc?sig=1'), scope, assets).kind).toBe(
      'uncached',
    );
    expect(hubFile(new URL('https://huggingface.co/bert-base/resolve/refs%2Fpr%2F1/config.json'))).toEqual({
      model: 'bert-base',
      revision: 'refs/pr/1',
      file: 'config.json',
    });
    expect(hubFile(new URL('https://huggingface.co/a/b/blob/main/config.json'))).toBeNull();
  });

  it('reads size and SHA-256 from response headers, and checks bytes against them', async () => {
    const bytes = bytesOf('abc');
    const hash = sha256(bytes);
    expect(
      expectedFromHeaders(new Headers({ 'content-length': '3', etag: `W/"${hash.toUpperCase()}"` })),
    ).toEqual({
      size: 3,
      sha256: hash,
    });
    expect(expectedFromHeaders(new Headers({ etag: '"a1b2c3"', 'x-linked-size': '9' }))).toEqual({ size: 9 });
    expect(await integrityProblem(bytes.buffer as ArrayBuffer, { size: 3, sha256: hash })).toBeNull();
    expect(await integrityProblem(bytes.buffer as ArrayBuffer, { size: 4 })).toMatch(/3 bytes, expected 4/);
    expect(await integrityProblem(bytes.buffer as ArrayBuffer, { sha256: '0'.repeat(64) })).toMatch(
      /SHA-256/,
    );
    expect(await integrityProblem(bytes.buffer as ArrayBuffer, {})).toBeNull();
  });

  it('finds the stale keys of an upgrade', () => {
    const keep = `${SCOPE}ort/a.wasm?sha256=${'ab'.repeat(32)}`;
    const keys = [
      keep,
      `${SCOPE}ort/a.wasm?sha256=${'cd'.repeat(32)}`,
      `${SCOPE}ort/a.wasm`,
      `${SCOPE}ort/gone.wasm?sha256=${'ab'.repeat(32)}`,
      HUB,
      'https://huggingface.co/Xenova/multilingual-e5-small/resolve/v2/config.json',
    ];
    expect(
      staleAssetKeys(keys, scope, assets, { id: 'Xenova/multilingual-e5-small', revision: 'main' }),
    ).toEqual(keys.filter((k) => k !== keep && k !== HUB));
    expect(staleAssetKeys(keys, scope, assets, null)).toEqual(keys.filter((k) => k !== keep));
  });

  it('lists the hosted files with the size and SHA-256 of their bytes (build side)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'webembed-assets-'));
    try {
      mkdirSync(join(dir, 'onnx'));
      writeFileSync(join(dir, 'config.json'), '{}');
      writeFileSync(join(dir, 'onnx', 'model.onnx'), Buffer.alloc(1000, 7));
      expect(assetList([{ prefix: 'models/org/m/', dir }])).toEqual({
        'models/org/m/config.json': entry(bytesOf('{}')),
        'models/org/m/onnx/model.onnx': entry(new Uint8Array(1000).fill(7)),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

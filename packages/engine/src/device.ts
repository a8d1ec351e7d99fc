/**
 * The one place that decides where inference runs. Node always uses onnxruntime-node (`cpu`);
 * browsers and workers use onnxruntime-web on `webgpu` or `wasm`. `auto` tries WebGPU first
 * and falls back to WASM when no adapter is found or the model fails to load on it.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** What the caller asks for. */
export type DeviceRequest = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** Where inference actually runs (the transformers.js device name). */
export type Backend = 'webgpu' | 'wasm' | 'cpu';

/** The WebGPU adapter, described for people. */
export interface AdapterDescription {
  /** Vendor / architecture / description as the browser reports them, joined. */
  readonly description: string;
  /** True for a software adapter (SwiftShader and the like): no real GPU. */
  readonly isFallbackAdapter: boolean;
  /** Plain words, e.g. `SwiftShader (software)` or `nvidia ampere`. */
  readonly label: string;
}

/** True under Node (or another runtime with `process.versions.node` and no DOM). */
export function isNodeRuntime(): boolean {
  const g = globalThis as {
    process?: { versions?: { node?: string } };
    document?: unknown;
    WorkerGlobalScope?: unknown;
  };
  return (
    typeof g.process?.versions?.node === 'string' &&
    g.document === undefined &&
    g.WorkerGlobalScope === undefined
  );
}

interface AdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    device?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
  requestDevice?(): Promise<{ destroy?(): void }>;
}

interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

async function requestAdapter(): Promise<AdapterLike | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

/** Describes the WebGPU adapter of this context, or returns `null` when there is none. */
export async function probeWebGpu(): Promise<AdapterDescription | null> {
  const adapter = await requestAdapter();
  return adapter ? describeAdapter(adapter) : null;
}

/**
 * Checks that WebGPU can actually be used here: an adapter exists and opens a device (the device
 * is destroyed again). Returns the adapter, or `null` and the reason in plain words. Checking the
 * device first matters: onnxruntime-web shares one WASM module between its backends, and a device
 * that fails inside its WebGPU initialisation leaves that module unusable for the WASM fallback.
 *
 * @example
 * ```ts
 * const { adapter, reason } = await checkWebGpu();
 * if (!adapter) console.info(`WebGPU unavailable: ${reason}`);
 * ```
 */
export async function checkWebGpu(): Promise<
  { adapter: AdapterDescription; reason: null } | { adapter: null; reason: string }
> {
  const adapter = await requestAdapter();
  if (!adapter) return { adapter: null, reason: 'no WebGPU adapter in this context' };
  const described = describeAdapter(adapter);
  if (typeof adapter.requestDevice !== 'function') {
    return { adapter: null, reason: `the adapter (${described.label}) cannot open a device` };
  }
  try {
    const device = await adapter.requestDevice();
    device?.destroy?.();
  } catch (err) {
    return {
      adapter: null,
      reason: `the adapter (${described.label}) could not open a device: ${(err as Error)?.message ?? String(err)}`,
    };
  }
  return { adapter: described, reason: null };
}

function describeAdapter(adapter: AdapterLike): AdapterDescription {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  const description = parts.join(' ') || 'unknown adapter';
  const software = /swiftshader|llvmpipe|lavapipe|software|warp|basic render/i.test(description);
  const isFallbackAdapter = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || software;
  const name = /swiftshader/i.test(description) ? 'SwiftShader' : description;
  return { description, isFallbackAdapter, label: isFallbackAdapter ? `${name} (software)` : name };
}

/** The backends to try, in order, for a request in this runtime. */
export function backendCandidates(request: DeviceRequest, node = isNodeRuntime()): Backend[] {
  const allowed: readonly DeviceRequest[] = ['auto', 'webgpu', 'wasm', 'cpu'];
  if (!allowed.includes(request)) {
    throw new WebEmbedError(
      'INVALID_ARGUMENT',
      `device must be one of ${allowed.join(', ')}, got ${JSON.stringify(request)}`,
    );
  }
  if (node) {
    if (request === 'webgpu') {
      throw new WebEmbedError(
        'GPU_UNAVAILABLE',
        "device 'webgpu' is not available under Node; use 'auto' or 'cpu'",
      );
    }
    return ['cpu'];
  }
  if (request === 'cpu') return ['wasm'];
  if (request === 'auto') return ['webgpu', 'wasm'];
  return [request];
}

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

interface GpuLike {
  requestAdapter(): Promise<{
    info?: {
      vendor?: string;
      architecture?: string;
      description?: string;
      device?: string;
      isFallbackAdapter?: boolean;
    };
    isFallbackAdapter?: boolean;
  } | null>;
}

/** Describes the WebGPU adapter of this context, or returns `null` when there is none. */
export async function probeWebGpu(): Promise<AdapterDescription | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return null;
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>>;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    return null;
  }
  if (!adapter) return null;
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

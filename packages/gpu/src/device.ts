/**
 * The one place that decides between the WebGPU path and the CPU path: requests an adapter and
 * a device with the adapter's real limits and optional features, detects WGSL language
 * features, and says which path runs and why. Also turns GPU faults (device loss, out of
 * memory, validation) into typed {@link WebEmbedError}s.
 *
 * @module
 */
import { WebEmbedError } from '@webembed/core';

/** What is known about the adapter a device came from. */
export interface GpuAdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software adapters such as SwiftShader: timings then say nothing about a real GPU. */
  readonly isFallbackAdapter: boolean;
}

/** Optional capabilities the kernels take advantage of. */
export interface GpuCapabilities {
  /** Device feature `shader-f16`. */
  readonly shaderF16: boolean;
  /** Device feature `subgroups`. */
  readonly subgroups: boolean;
  /** WGSL language feature `packed_4x8_integer_dot_product` (`dot4I8Packed`). */
  readonly packedDot: boolean;
}

/** The device limits the search sizes its buffers and dispatches by. */
export interface GpuSearchLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly storageBufferOffsetAlignment: number;
}

/** How to acquire the device. */
export interface AcquireOptions {
  /** The `GPU` object to use; defaults to `navigator.gpu` (pass Dawn's in Node). */
  readonly gpu?: GPU;
  /** Adapter preference; defaults to `'high-performance'`. */
  readonly powerPreference?: GPUPowerPreference;
  /** Set `false` to ignore `dot4I8Packed` even where the language feature exists (testing). */
  readonly packedDot?: boolean;
  /**
   * `false`: refuse a software adapter ({@link isSoftwareAdapter}: SwiftShader, llvmpipe, a
   * fallback or `cpu`-type adapter), answering `{ kind: 'cpu' }` with the reason instead of
   * opening a device on it. Default `true` (use whatever adapter the browser gives).
   */
  readonly allowSoftwareAdapter?: boolean;
}

/** A device ready for the kernels. */
export interface AcquiredGpu {
  readonly kind: 'webgpu';
  readonly device: GPUDevice;
  readonly adapter: GpuAdapterDescription;
  readonly capabilities: GpuCapabilities;
  readonly limits: GpuSearchLimits;
  readonly reason: string;
}

/** No usable device: why. */
export interface NoGpu {
  readonly kind: 'cpu';
  readonly reason: string;
  readonly adapter: GpuAdapterDescription | null;
}

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupSizeX',
] as const;

/** Workgroup memory and invocations every kernel of this package needs. */
const NEEDED = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 8192 };

function describeAdapter(adapter: GPUAdapter): GpuAdapterDescription {
  const info = (adapter.info ?? {}) as Partial<GPUAdapterInfo> & {
    isFallbackAdapter?: boolean;
    type?: string;
  };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    // Dawn reports a `cpu`-type adapter as the fallback adapter; some builds expose the type too.
    isFallbackAdapter:
      Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter ?? false) || info.type === 'cpu',
  };
}

/** Names of WebGPU implementations that run on the CPU. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/**
 * Whether an adapter emulates the GPU on the CPU: a fallback (`cpu`-type) adapter, or one that
 * names a software rasterizer (SwiftShader, llvmpipe, lavapipe, Microsoft Basic Render Driver).
 * Searches there run tens of times slower than the CPU path of `@webembed/core`.
 */
export function isSoftwareAdapter(adapter: GpuAdapterDescription): boolean {
  return (
    adapter.isFallbackAdapter ||
    SOFTWARE_ADAPTER.test(
      `${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`,
    )
  );
}

function adapterLabel(a: GpuAdapterDescription): string {
  const name = [a.vendor, a.architecture, a.device || a.description].filter(Boolean).join(' ');
  return `${name || 'unnamed adapter'}${a.isFallbackAdapter ? ' (fallback/software adapter)' : ''}`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Requests an adapter and a device. Never throws: a missing `navigator.gpu`, no adapter, or a
 * failed device request give `{ kind: 'cpu', reason }` instead.
 */
export async function acquireGpu(options: AcquireOptions = {}): Promise<AcquiredGpu | NoGpu> {
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { kind: 'cpu', reason: 'WebGPU is not available here (no navigator.gpu)', adapter: null };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  } catch (err) {
    return { kind: 'cpu', reason: `requestAdapter() failed: ${errorMessage(err)}`, adapter: null };
  }
  if (!adapter) return { kind: 'cpu', reason: 'requestAdapter() returned no adapter', adapter: null };
  const description = describeAdapter(adapter);
  if (options.allowSoftwareAdapter === false && isSoftwareAdapter(description)) {
    return {
      kind: 'cpu',
      reason: `the WebGPU adapter ${adapterLabel(description)} is a software adapter (it emulates the GPU on the CPU, slower than the CPU search path)`,
      adapter: description,
    };
  }
  for (const [name, needed] of Object.entries(NEEDED) as [keyof typeof NEEDED, number][]) {
    if (adapter.limits[name] < needed) {
      return {
        kind: 'cpu',
        reason: `adapter ${adapterLabel(description)} has ${name} ${adapter.limits[name]}, the kernels need ${needed}`,
        adapter: description,
      };
    }
  }
  const requiredFeatures: GPUFeatureName[] = [];
  for (const feature of ['shader-f16', 'subgroups'] as GPUFeatureName[]) {
    if (adapter.features.has(feature)) requiredFeatures.push(feature);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'webembed-search' });
  } catch (err) {
    return {
      kind: 'cpu',
      reason: `requestDevice() on ${adapterLabel(description)} failed: ${errorMessage(err)}`,
      adapter: description,
    };
  }
  const languageFeatures = (gpu as GPU & { wgslLanguageFeatures?: ReadonlySet<string> }).wgslLanguageFeatures;
  const capabilities: GpuCapabilities = {
    shaderF16: device.features.has('shader-f16'),
    subgroups: device.features.has('subgroups'),
    packedDot:
      options.packedDot !== false && Boolean(languageFeatures?.has('packed_4x8_integer_dot_product')),
  };
  const limits: GpuSearchLimits = {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    storageBufferOffsetAlignment: device.limits.minStorageBufferOffsetAlignment,
  };
  const featureList = Object.entries(capabilities)
    .filter(([, on]) => on)
    .map(([name]) => name);
  return {
    kind: 'webgpu',
    device,
    adapter: description,
    capabilities,
    limits,
    reason: `WebGPU on ${adapterLabel(description)}; features: ${featureList.join(', ') || 'none'}; max binding ${limits.maxStorageBufferBindingSize} bytes`,
  };
}

/** Turns a `GPUError` from an error scope into the matching typed error. */
export function gpuErrorToWebEmbed(error: GPUError, what: string): WebEmbedError {
  const oomClass = (globalThis as { GPUOutOfMemoryError?: typeof GPUOutOfMemoryError }).GPUOutOfMemoryError;
  if ((oomClass && error instanceof oomClass) || error.constructor?.name === 'GPUOutOfMemoryError') {
    return new WebEmbedError('GPU_OUT_OF_MEMORY', `GPU ran out of memory while ${what}: ${error.message}`);
  }
  return new WebEmbedError(
    'GPU_VALIDATION',
    `GPU rejected a command while ${what} (a bug or an exceeded limit): ${error.message}`,
  );
}

/**
 * Runs `body` inside out-of-memory and validation error scopes and throws the first error they
 * caught as a typed {@link WebEmbedError}.
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, body: () => T): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  let result: T | undefined;
  let thrown: unknown;
  try {
    result = body();
  } catch (err) {
    thrown = err;
  }
  const oom = await device.popErrorScope();
  const invalid = await device.popErrorScope();
  const first = oom ?? invalid;
  if (first) throw gpuErrorToWebEmbed(first, what);
  if (thrown !== undefined) throw thrown;
  return result as T;
}

/** Wraps any error thrown by a GPU call as a typed error; typed errors pass through. */
export function asGpuError(err: unknown, what: string, lost: boolean): WebEmbedError {
  if (err instanceof WebEmbedError) return err;
  if (lost) {
    return new WebEmbedError(
      'GPU_DEVICE_LOST',
      `GPU device was lost while ${what}: ${errorMessage(err)}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (err instanceof RangeError || /memory/i.test(errorMessage(err))) {
    return new WebEmbedError(
      'GPU_OUT_OF_MEMORY',
      `GPU allocation failed while ${what}: ${errorMessage(err)}`,
      undefined,
      {
        cause: err,
      },
    );
  }
  return new WebEmbedError(
    'GPU_VALIDATION',
    `GPU operation failed while ${what}: ${errorMessage(err)}`,
    undefined,
    {
      cause: err,
    },
  );
}

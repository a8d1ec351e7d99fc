/**
 * Per-device state shared by every index: the acquired device, whether it was lost, and the
 * compiled pipelines (each created once per device and shape, then reused).
 *
 * @module
 */
import type { WebEmbedError } from '@webembed/core';
import type { AcquiredGpu } from './device.js';
import { type CountStage, countKernelWgsl } from './kernels/count.wgsl.js';
import { mergeKernelWgsl } from './kernels/merge.wgsl.js';
import { type RescoreSource, rescoreKernelWgsl } from './kernels/rescore.wgsl.js';
import { type ScanKernelSpec, scanKernelWgsl } from './kernels/scan.wgsl.js';

/** A live device and what the search knows about it. */
export interface GpuContext {
  readonly gpu: AcquiredGpu;
  readonly device: GPUDevice;
  /** Set once `device.lost` resolves (including after `device.destroy()`). */
  lost: boolean;
  lostMessage: string;
  /** The last fault seen on this device (lost, out of memory, validation). */
  lastFault: WebEmbedError | null;
  readonly pipelines: Map<string, GPUComputePipeline>;
  readonly lostPromise: Promise<void>;
}

/** Wraps an acquired device, watching for its loss. */
export function createGpuContext(gpu: AcquiredGpu): GpuContext {
  const context: GpuContext = {
    gpu,
    device: gpu.device,
    lost: false,
    lostMessage: '',
    lastFault: null,
    pipelines: new Map(),
    lostPromise: Promise.resolve(),
  };
  (context as { lostPromise: Promise<void> }).lostPromise = gpu.device.lost.then((info) => {
    context.lost = true;
    context.lostMessage = `${info.reason}: ${info.message || 'no message'}`;
  });
  return context;
}

function cached(context: GpuContext, key: string, code: () => string): GPUComputePipeline {
  let pipeline = context.pipelines.get(key);
  if (!pipeline) {
    const module = context.device.createShaderModule({ code: code(), label: key });
    pipeline = context.device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: key,
    });
    context.pipelines.set(key, pipeline);
  }
  return pipeline;
}

/** The scan pipeline for one mode. */
export function scanPipeline(context: GpuContext, spec: ScanKernelSpec): GPUComputePipeline {
  const key = `scan:${spec.mode}:${spec.packedDot ? 'dot4' : 'unpack'}:${spec.halfRows ? 'f16' : 'f32'}`;
  return cached(context, key, () => scanKernelWgsl(spec));
}

/** The merge pipeline. */
export function mergePipeline(context: GpuContext): GPUComputePipeline {
  return cached(context, 'merge', mergeKernelWgsl);
}

/** One stage of the Hamming counting selection (see kernels/count.wgsl.ts). */
export function countPipeline(context: GpuContext, stage: CountStage): GPUComputePipeline {
  return cached(context, `count:${stage}`, () => countKernelWgsl(stage));
}

/** The rescore pipeline for one row source. */
export function rescorePipeline(context: GpuContext, source: RescoreSource): GPUComputePipeline {
  return cached(context, `rescore:${source}`, () => rescoreKernelWgsl(source));
}

/** Waits briefly for `device.lost` to settle; true when the device is gone. */
export async function confirmLost(context: GpuContext, waitMs = 50): Promise<boolean> {
  if (context.lost) return true;
  await Promise.race([context.lostPromise, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  return context.lost;
}

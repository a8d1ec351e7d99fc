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

/** One compute pipeline the kernels use. */
export type PipelineSpec =
  | { readonly kind: 'scan'; readonly spec: ScanKernelSpec }
  | { readonly kind: 'merge' }
  | { readonly kind: 'count'; readonly stage: CountStage }
  | { readonly kind: 'rescore'; readonly source: RescoreSource };

function describe(p: PipelineSpec): { key: string; code: () => string } {
  switch (p.kind) {
    case 'scan': {
      const { spec } = p;
      const key = `scan:${spec.mode}:${spec.packedDot ? 'dot4' : 'unpack'}:${spec.halfRows ? 'f16' : 'f32'}`;
      return { key, code: () => scanKernelWgsl(spec) };
    }
    case 'merge':
      return { key: 'merge', code: mergeKernelWgsl };
    case 'count':
      return { key: `count:${p.stage}`, code: () => countKernelWgsl(p.stage) };
    case 'rescore':
      return { key: `rescore:${p.source}`, code: () => rescoreKernelWgsl(p.source) };
  }
}

function descriptor(context: GpuContext, key: string, code: string): GPUComputePipelineDescriptor {
  const module = context.device.createShaderModule({ code, label: key });
  return { layout: 'auto', compute: { module, entryPoint: 'main' }, label: key };
}

/** The pipeline for `spec`, compiled now unless {@link compilePipelines} or an earlier call did. */
export function pipelineFor(context: GpuContext, spec: PipelineSpec): GPUComputePipeline {
  const { key, code } = describe(spec);
  let pipeline = context.pipelines.get(key);
  if (!pipeline) {
    pipeline = context.device.createComputePipeline(descriptor(context, key, code()));
    context.pipelines.set(key, pipeline);
  }
  return pipeline;
}

/**
 * Compiles the pipelines in `specs` that are not compiled yet, without blocking the thread
 * (`createComputePipelineAsync`), so the searches that need them later pay no shader compile.
 */
export async function compilePipelines(context: GpuContext, specs: readonly PipelineSpec[]): Promise<void> {
  await Promise.all(
    specs.map(async (spec) => {
      const { key, code } = describe(spec);
      if (context.pipelines.has(key)) return;
      const pipeline = await context.device.createComputePipelineAsync(descriptor(context, key, code()));
      if (!context.pipelines.has(key)) context.pipelines.set(key, pipeline);
    }),
  );
}

/** The scan pipeline for one mode. */
export function scanPipeline(context: GpuContext, spec: ScanKernelSpec): GPUComputePipeline {
  return pipelineFor(context, { kind: 'scan', spec });
}

/** The merge pipeline. */
export function mergePipeline(context: GpuContext): GPUComputePipeline {
  return pipelineFor(context, { kind: 'merge' });
}

/** One stage of the Hamming counting selection (see kernels/count.wgsl.ts). */
export function countPipeline(context: GpuContext, stage: CountStage): GPUComputePipeline {
  return pipelineFor(context, { kind: 'count', stage });
}

/** The rescore pipeline for one row source. */
export function rescorePipeline(context: GpuContext, source: RescoreSource): GPUComputePipeline {
  return pipelineFor(context, { kind: 'rescore', source });
}

/** Waits briefly for `device.lost` to settle; true when the device is gone. */
export async function confirmLost(context: GpuContext, waitMs = 50): Promise<boolean> {
  if (context.lost) return true;
  await Promise.race([context.lostPromise, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  return context.lost;
}

/**
 * Real Chromium WebGPU (SwiftShader here): software adapters are refused when asked, and
 * `warmUp` compiles every pipeline a search of the warmed modes runs, so that search compiles none.
 */
import { calibrateInt8, quantizeInt8 } from '@webembed/core';
import { describe, expect, it } from 'vitest';
import { needs, webgpuMissing } from '../../../scripts/test/browser-support.js';
import { createGpuSearch, isSoftwareAdapter } from '../src/index.js';
import { randomMatrix } from './helpers.js';

// Where the browser has no WebGPU adapter (Firefox, WebKit here) the suite is skipped with the reason.
const noGpu = await webgpuMissing();

describe('software adapters and pipeline warm-up (Chromium)', needs(noGpu), () => {
  it('refuses the software adapter with allowSoftwareAdapter: false, and uses it otherwise', async () => {
    const refused = await createGpuSearch({ allowSoftwareAdapter: false });
    const taken = await createGpuSearch();
    try {
      expect(taken.backend).toBe('webgpu');
      expect(taken.adapterInfo && isSoftwareAdapter(taken.adapterInfo)).toBe(true);
      expect(refused.backend).toBe('cpu');
      expect(refused.device).toBeNull();
      expect(refused.reason).toMatch(/swiftshader.*is a software adapter/);
      await expect(createGpuSearch({ backend: 'webgpu', allowSoftwareAdapter: false })).rejects.toMatchObject(
        {
          code: 'GPU_UNAVAILABLE',
        },
      );
    } finally {
      taken.destroy();
      refused.destroy();
    }
  });

  it('a search of a warmed-up mode compiles no pipeline; an unwarmed mode does', async () => {
    const gpu = await createGpuSearch();
    const device = gpu.device as GPUDevice;
    let compiled = 0;
    const createComputePipeline = device.createComputePipeline.bind(device);
    device.createComputePipeline = (descriptor) => {
      compiled++;
      return createComputePipeline(descriptor);
    };
    try {
      const corpus = randomMatrix(600, 64, 3, false);
      const calibration = calibrateInt8(corpus);
      const index = gpu.createIndex({
        dims: 64,
        kinds: ['float32', 'int8', 'binary'],
        int8Calibration: calibration,
      });
      await index.warmUp([{ mode: 'float32' }, { mode: 'asymmetric-l1' }]);
      expect(compiled).toBe(0);
      await index.append({ float32: corpus, int8: quantizeInt8(corpus, calibration) });
      const query = randomMatrix(1, 64, 9, false);
      for (const mode of ['float32', 'asymmetric-l1'] as const) {
        await index.search(query, { k: 5, mode });
      }
      expect(compiled).toBe(0);
      await index.search(query, { k: 5, mode: 'int8' });
      expect(compiled).toBeGreaterThan(0);
      await expect(index.warmUp([{ mode: 'cosine' }, { mode: 'float32' }])).resolves.toBeUndefined();
      const binaryOnly = gpu.createIndex({ dims: 64, kinds: ['binary'] });
      await expect(binaryOnly.warmUp([{ mode: 'int8' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      gpu.destroy();
    }
  });
});

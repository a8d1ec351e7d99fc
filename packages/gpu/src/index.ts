/**
 * `@webembed/gpu`: WebGPU search: WGSL compute kernels for Hamming, int8 and float top-k over GPU-resident corpora, with the CPU path of @webembed/core as fallback.
 *
 * @module
 */
export {};

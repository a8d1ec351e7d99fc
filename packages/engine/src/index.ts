/**
 * `@webembed/engine`: The embedding engine: transformers.js in a Web Worker (WebGPU or WASM), model presets, token accounting, caching, and collections that search through @webembed/gpu and persist through @webembed/store.
 *
 * @module
 */
export {};

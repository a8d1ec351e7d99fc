/**
 * WebGPU flag values as plain numbers (from the WebGPU spec), so this package can be imported
 * where the `GPUBufferUsage` / `GPUMapMode` globals do not exist (no WebGPU: the CPU path).
 *
 * @module
 */

/** `GPUBufferUsage` flags. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** `GPUMapMode.READ`. */
export const MAP_READ_MODE = 0x0001;

/** Usage of every storage buffer the search writes, copies and binds. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;

/**
 * Loading the embedded WebAssembly modules: base64 decoding that runs in browsers, workers and
 * Node, and synchronous instantiation (the modules are a few hundred bytes, well under the size
 * browsers allow to compile on the main thread) that reports `null` instead of throwing when
 * the runtime lacks WebAssembly or its SIMD instructions.
 *
 * @module
 */

/** Decodes base64 without Buffer. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Instantiates a module with no imports and returns its exports when every name in
 * `functions` is an exported function and `memory` an exported memory; otherwise `null`.
 */
export function instantiateSync<T>(bytes: Uint8Array<ArrayBuffer>, functions: readonly string[]): T | null {
  try {
    if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return null;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as Record<
      string,
      unknown
    >;
    if (!(exports.memory instanceof WebAssembly.Memory)) return null;
    for (const name of functions) if (typeof exports[name] !== 'function') return null;
    return exports as T;
  } catch {
    return null;
  }
}

/** Rounds up to a multiple of 16 bytes. */
export function align16(n: number): number {
  return (n + 15) & ~15;
}

/** Grows `memory` until it holds at least `bytes` bytes (views on it must be re-created). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

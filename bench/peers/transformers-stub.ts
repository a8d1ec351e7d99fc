/**
 * Stands in for `@xenova/transformers` in the bench page. EntityDB and client-vector-search
 * import it to embed text; the bench hands them precomputed vectors, so no model is ever
 * loaded. EntityDB starts a pipeline at import time: this one never settles, so nothing is
 * fetched and no rejection is left unhandled.
 *
 * @module
 */
export const env = { localModelPath: '', allowRemoteModels: false, backends: { onnx: { wasm: {} } } };

export function pipeline(): Promise<never> {
  return new Promise<never>(() => undefined);
}

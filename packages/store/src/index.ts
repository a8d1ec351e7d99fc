/**
 * `@webembed/store`: Persistent, model-guarded vector collections on IndexedDB (via idb), with block layout, export/import and cross-tab sync.
 *
 * @module
 */
export {};

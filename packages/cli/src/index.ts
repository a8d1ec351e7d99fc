/**
 * `@webembed/cli`: Node command line: build a webembed index from a folder of documents at build time, for browsers to import.
 *
 * @module
 */
export {};

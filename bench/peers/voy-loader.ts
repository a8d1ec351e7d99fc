/**
 * Loads voy-search in the page. The package ships only a bundler-target wasm-bindgen build
 * (`import * as wasm from "./voy_search_bg.wasm"`), which esbuild cannot bundle; so the page
 * imports the JS glue and instantiates the `.wasm` file (served by the bench server) itself,
 * exactly as the bundler integration would.
 *
 * @module
 */
import * as glue from 'voy-search/voy_search_bg.js';

/** The part of voy's `Voy` class the bench uses. */
export interface VoyIndex {
  add(resource: { embeddings: { id: string; title: string; url: string; embeddings: number[] }[] }): void;
  search(query: Float32Array, k: number): { neighbors: { id: string }[] };
  serialize(): string;
  free(): void;
}

interface VoyModule {
  Voy: { new (): VoyIndex; deserialize(serialized: string): VoyIndex };
}

let loaded: Promise<VoyModule> | null = null;

/** Instantiates voy's WASM once and returns its module. */
export function loadVoy(): Promise<VoyModule> {
  loaded ??= (async () => {
    const bytes = await (await fetch('/voy/voy_search_bg.wasm')).arrayBuffer();
    const { instance } = await WebAssembly.instantiate(bytes, {
      './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    (glue as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(
      instance.exports,
    );
    return glue as unknown as VoyModule;
  })();
  return loaded;
}

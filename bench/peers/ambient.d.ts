// Types for the one peer module the packages do not type: voy's wasm-bindgen glue.
declare module 'voy-search/voy_search_bg.js' {
  export function __wbg_set_wasm(exports: unknown): void;
}

/**
 * Adds the Content-Security-Policy meta tag to the built page: only this origin, the Hugging Face
 * model host and its CDNs, and `'wasm-unsafe-eval'` for onnxruntime's WebAssembly. `blob:` is
 * allowed for scripts and workers because transformers.js imports onnxruntime's glue module
 * (fetched from this origin's `ort/` folder) through a blob URL, and onnxruntime starts its WASM
 * threads from that same URL. Left out of the dev server, whose hot-reload client injects inline
 * styles.
 */
import type { Plugin } from 'vite';

/** Hosts the page may fetch model files from (the Hub redirects large files to its CDNs). */
export const MODEL_HOSTS = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/** The policy, one directive per entry. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  `connect-src 'self' ${MODEL_HOSTS.join(' ')}`,
  "img-src 'self' data:",
  "style-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

export function cspPlugin(): Plugin {
  return {
    name: 'webembed-csp',
    apply: 'build',
    transformIndexHtml() {
      return [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ];
    },
  };
}

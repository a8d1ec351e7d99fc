/**
 * Vite plugin that serves (dev/preview) and emits (build) the files the demo must host on its
 * own origin: onnxruntime-web's WASM runtime under `ort/` and, when asked, model folders under
 * `models/`. Nothing is ever loaded from a CDN.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';
import type { AssetList } from '../src/sw/routes';

/** The two onnxruntime-web files transformers.js loads for both the WASM and WebGPU backends. */
export const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

const MIME: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain',
};

/** Finds onnxruntime-web's `dist/` folder next to the transformers.js the engine depends on. */
export function findOrtDist(repoRoot: string): string {
  const transformers = realpathSync(join(repoRoot, 'packages/engine/node_modules/@huggingface/transformers'));
  const candidates = [
    join(dirname(dirname(transformers)), 'onnxruntime-web', 'dist'),
    join(transformers, 'node_modules', 'onnxruntime-web', 'dist'),
  ];
  const found = candidates.find((dir) => ORT_FILES.every((f) => existsSync(join(dir, f))));
  if (!found) throw new Error(`onnxruntime-web dist not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** One folder of files published under a URL prefix (`ort/`, `models/...`). */
export interface HostedFolder {
  /** URL prefix relative to the site base, ending with `/`. */
  readonly prefix: string;
  /** Folder on disk. */
  readonly dir: string;
  /** Only these file names (flat), or every file below `dir` when omitted. */
  readonly only?: readonly string[];
}

function listFiles(folder: HostedFolder): string[] {
  if (folder.only) return folder.only.map((name) => join(folder.dir, name));
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(folder.dir);
  return out;
}

/**
 * The build's file list for the service worker: size and SHA-256 of every file in `folders`, keyed
 * by its URL path under the site base (`ort/...`, `models/<id>/...`). The worker caches each file
 * under its hash and refuses bytes that do not match, so the list is computed from the very files
 * the build publishes.
 */
export function assetList(folders: readonly HostedFolder[]): AssetList {
  const out: Record<string, { size: number; sha256: string }> = {};
  for (const folder of folders) {
    for (const file of listFiles(folder)) {
      const bytes = readFileSync(file);
      const rel = relative(folder.dir, file).split(sep).join('/');
      out[folder.prefix + rel] = {
        size: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    }
  }
  return out;
}

function middleware(folders: readonly HostedFolder[], base: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]);
    const local = path.startsWith(base) ? path.slice(base.length) : path.replace(/^\//, '');
    for (const folder of folders) {
      if (!local.startsWith(folder.prefix)) continue;
      const rest = local.slice(folder.prefix.length);
      if (rest.includes('..')) break;
      if (folder.only && !folder.only.includes(rest)) break;
      const file = join(folder.dir, ...rest.split('/'));
      if (!existsSync(file) || !statSync(file).isFile()) break;
      res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      res.end(readFileSync(file));
      return;
    }
    next();
  };
}

/** Serves the folders from the dev server and copies them into the build output (preview serves the copy). */
export function hostedFiles(folders: readonly HostedFolder[]): Plugin {
  let base = '/';
  return {
    name: 'webembed-hosted-files',
    configResolved(config) {
      base = config.base.startsWith('/') ? config.base : '/';
    },
    configureServer(server) {
      server.middlewares.use(middleware(folders, base));
    },
    generateBundle(_options, bundle) {
      // transformers.js' bundle carries its own copy of the ORT wasm as a default; the demo always
      // points `wasmPaths` at `ort/`, so that second 26 MB copy is dropped.
      for (const name of Object.keys(bundle)) {
        if (/^assets\/ort-wasm-simd-threaded[^/]*\.wasm$/.test(name)) delete bundle[name];
      }
      for (const folder of folders) {
        for (const file of listFiles(folder)) {
          const rel = relative(folder.dir, file).split(sep).join('/');
          this.emitFile({ type: 'asset', fileName: folder.prefix + rel, source: readFileSync(file) });
        }
      }
    },
  };
}

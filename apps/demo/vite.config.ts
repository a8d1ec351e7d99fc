import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { assetList, findOrtDist, type HostedFolder, hostedFiles, ORT_FILES } from './build/assets-plugin';
import { cspPlugin } from './build/csp-plugin';
import type { DemoBuildConfig } from './src/build-config';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const FIXTURE_MODEL = 'webembed-fixtures/crosslingual-bert';
const FIXTURE_DIR = join(repoRoot, '.fixtures', 'models');

/**
 * WEBEMBED_PREBUILT_INDEX: a `.webembed` file on disk (relative to where the command ran) copied
 * into the build under `prebuilt/`, or a URL path on the site's origin (`/indexes/docs.webembed`,
 * `https://same.origin/...`) used as is. Returns the folder to host (if any) and the page-relative URL.
 */
function prebuiltIndex(value: string | undefined): { url: string | null; hosted: HostedFolder | null } {
  if (!value) return { url: null, hosted: null };
  const file = resolve(process.env.INIT_CWD || process.cwd(), value);
  if (existsSync(file)) {
    const name = basename(file);
    return {
      url: `prebuilt/${encodeURIComponent(name)}`,
      hosted: { prefix: 'prebuilt/', dir: dirname(file), only: [name] },
    };
  }
  if (/^https?:\/\//.test(value) || value.startsWith('/')) return { url: value, hosted: null };
  throw new Error(
    `WEBEMBED_PREBUILT_INDEX: no file at ${file} (and not a URL); build one with \`pnpm webembed index\``,
  );
}

/**
 * Modes:
 * - default: Xenova/multilingual-e5-small from the Hugging Face Hub (or from this origin when
 *   WEBEMBED_MODEL_BASE is set, e.g. `/models/` after `pnpm --filter @webembed/demo run copy-model`),
 *   with the 320-passage multilingual corpus.
 * - `--mode test`: the cross-lingual fixture model served from this origin and a small corpus
 *   written in the fixture's vocabulary; no network at all. Output goes to test-build/dist (or
 *   $WEBEMBED_TEST_OUT, relative to apps/demo).
 */
export default defineConfig(({ mode }) => {
  const isTest = mode === 'test';
  const env = process.env;
  const modelBase = env.WEBEMBED_MODEL_BASE || (isTest ? 'models/' : null);
  const prebuilt = prebuiltIndex(env.WEBEMBED_PREBUILT_INDEX);
  const demo: DemoBuildConfig = {
    mode: isTest ? 'test' : 'demo',
    model: env.WEBEMBED_MODEL || (isTest ? FIXTURE_MODEL : 'Xenova/multilingual-e5-small'),
    modelRevision: env.WEBEMBED_MODEL_REVISION || 'main',
    modelBase,
    allowRemoteModels: modelBase === null,
    dtype: env.WEBEMBED_DTYPE || 'q8',
    ortBase: 'ort/',
    prebuiltIndex: prebuilt.url,
  };
  const hosted: HostedFolder[] = [{ prefix: 'ort/', dir: findOrtDist(repoRoot), only: ORT_FILES }];
  if (prebuilt.hosted) hosted.push(prebuilt.hosted);
  if (isTest) {
    const dir = join(FIXTURE_DIR, FIXTURE_MODEL);
    if (!existsSync(dir))
      throw new Error(`fixture model missing at ${dir}: run \`pnpm -r run fixtures\` first`);
    hosted.push({ prefix: `models/${FIXTURE_MODEL}/`, dir });
  }
  // Model and runtime files the site serves, with size and SHA-256, for the service worker: the
  // hosted folders plus model folders under public/models (copy-model), which Vite copies as is.
  const publicModels = join(here, 'public', 'models');
  const modelFolders = hosted.filter((f) => f.prefix.startsWith('ort/') || f.prefix.startsWith('models/'));
  if (existsSync(publicModels)) modelFolders.push({ prefix: 'models/', dir: publicModels });
  const assets = assetList(modelFolders);
  return {
    base: env.BASE || './',
    // No SPA fallback: a missing file must be a 404 (transformers.js probes model paths).
    appType: 'mpa',
    resolve: { conditions: ['@webembed/source'] },
    // Both also reach the service worker's own build (vite-plugin-pwa passes `define` on).
    define: { __WEBEMBED_DEMO__: JSON.stringify(demo), __WEBEMBED_ASSETS__: JSON.stringify(assets) },
    server: {
      host: '127.0.0.1',
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    },
    // `vite preview` sends no COOP/COEP (it would inherit server.headers otherwise): like GitHub
    // Pages, isolation must come from the service worker, and the e2e tests check that it does.
    preview: { host: '127.0.0.1', headers: {} },
    optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
    worker: { format: 'es' },
    build: {
      target: 'es2022',
      // WEBEMBED_TEST_OUT lets concurrent e2e runs (one per port) build without clobbering each other.
      outDir: isTest ? env.WEBEMBED_TEST_OUT || 'test-build/dist' : 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: 4096,
    },
    plugins: [
      hostedFiles(hosted),
      cspPlugin(),
      VitePWA({
        strategies: 'injectManifest',
        srcDir: 'src',
        filename: 'sw.ts',
        injectRegister: false,
        registerType: 'autoUpdate',
        manifest: false,
        injectManifest: {
          globPatterns: ['**/*.{js,mjs,css,html,svg,png,webmanifest}'],
          globIgnores: ['ort/**', 'models/**', 'prebuilt/**'],
          maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        },
        devOptions: { enabled: false },
      }),
    ],
  };
});

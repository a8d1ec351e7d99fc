#!/usr/bin/env node
// Builds the published engine worker, after `tsc` (run by `pnpm run build`):
// - dist/worker.js: src/worker.ts and everything it imports (transformers.js, onnxruntime-web's
//   WebGPU/WASM build that loads its runtime from URLs, comlink, @webembed/*) in one ES module,
//   so an app's bundler only has to emit it: no bare imports left for a dev server to optimize.
// - dist/ort-wasm-simd-threaded.asyncify.{mjs,wasm}: onnxruntime-web's runtime, the exact
//   version transformers.js pins, referenced from the worker as
//   `new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url)`, which Vite and
//   webpack 5 emit as assets: one copy, no configuration, no dependency on hoisting.
// - dist/THIRD-PARTY-LICENSES.md: the licences of everything bundled or copied.
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(packageDir, 'dist');

/** The two runtime files the worker hands to onnxruntime-web. */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];

/** The folder holding the package.json of the package that contains `file`. */
function packageRootOf(file) {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name) return dir;
    }
    dir = dirname(dir);
  }
  throw new Error(`no package.json above ${file}`);
}

function readPackage(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

const requireHere = createRequire(join(packageDir, 'package.json'));
const transformersDir = packageRootOf(requireHere.resolve('@huggingface/transformers'));
const requireFromTransformers = createRequire(join(transformersDir, 'package.json'));
const ortWasm = requireFromTransformers.resolve(`onnxruntime-web/${ORT_RUNTIME_FILES[1]}`);
const ortDir = packageRootOf(ortWasm);
const ortVersion = readPackage(ortDir).version;
const pinned = readPackage(transformersDir).dependencies?.['onnxruntime-web'];
if (pinned !== ortVersion) {
  throw new Error(`transformers.js pins onnxruntime-web ${pinned} but ${ortDir} is ${ortVersion}`);
}

// The worker's default runtime URLs: beside the worker, where bundlers put what they emit.
const ortFilesModule = `
export function bundledWasmPaths() {
  return {
    mjs: new URL('./${ORT_RUNTIME_FILES[0]}', import.meta.url).href,
    wasm: new URL('./${ORT_RUNTIME_FILES[1]}', import.meta.url).href,
  };
}
`;

const result = await build({
  absWorkingDir: packageDir,
  entryPoints: [join(packageDir, 'src', 'worker.ts')],
  outfile: join(dist, 'worker.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // onnxruntime-web's build without an embedded copy of the runtime: it loads the two files
  // above from env.wasmPaths, so no bundler emits a second 27 MB .wasm from inside it.
  conditions: ['onnxruntime-web-use-extern-wasm'],
  minifySyntax: true,
  minifyIdentifiers: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'webembed-bundled-ort-files',
      setup(b) {
        b.onResolve({ filter: /^\.\/ort-files\.js$/ }, () => ({ path: 'ort-files', namespace: 'webembed' }));
        b.onLoad({ filter: /.*/, namespace: 'webembed' }, () => ({ contents: ortFilesModule, loader: 'js' }));
      },
    },
    {
      // onnxruntime-web finds "its own script" with `new URL('ort.webgpu.min.mjs', import.meta.url)`
      // (for a proxy worker and default runtime paths, neither of which the engine uses: it always
      // passes both runtime URLs). webpack 5 resolves that at build time and fails, since the file
      // is inside this bundle. In the worker the script is `self.location.href`, which no bundler
      // rewrites.
      name: 'webembed-ort-script-url',
      setup(b) {
        b.onLoad({ filter: /onnxruntime-web[\\/]dist[\\/]ort\.webgpu\.min\.mjs$/ }, ({ path }) => {
          const source = readFileSync(path, 'utf8');
          const uses = source.split('import.meta.url').length - 1;
          if (uses === 0) throw new Error(`${path} no longer uses import.meta.url: review this patch`);
          return { contents: source.replaceAll('import.meta.url', 'self.location.href'), loader: 'js' };
        });
      },
    },
  ],
});

const output = result.metafile.outputs['dist/worker.js'];
const external = output.imports.filter((i) => i.external);
if (external.length > 0) {
  throw new Error(
    `dist/worker.js must be self-contained, but imports ${external.map((i) => i.path).join(', ')}`,
  );
}
const code = readFileSync(join(dist, 'worker.js'), 'utf8');
for (const file of ORT_RUNTIME_FILES) {
  if (!code.includes(`new URL("./${file}", import.meta.url)`)) {
    throw new Error(`dist/worker.js lost the bundler-visible reference to ./${file}`);
  }
}
// Those two must be the only URLs a bundler resolves at build time: any other
// `new X('file', import.meta.url)` would make webpack look for a file that is not there.
const resolved = [...code.matchAll(/new\s+[\w$]+\(\s*(["'`])([^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g)].map(
  (m) => m[2],
);
const expected = ORT_RUNTIME_FILES.map((f) => `./${f}`);
if (resolved.length !== expected.length || !expected.every((f) => resolved.includes(f))) {
  throw new Error(
    `dist/worker.js has these import.meta.url references: ${resolved.join(', ')}; expected only ${expected.join(', ')}`,
  );
}
// The one dynamic import left (onnxruntime-web loading its .mjs from a URL) must stay hidden from
// bundlers, or webpack would try to resolve it at build time.
if (!/import\(\s*\/\*\s*webpackIgnore:\s*true\s*\*\//.test(code)) {
  throw new Error("dist/worker.js lost onnxruntime-web's webpackIgnore comment on its import()");
}

for (const file of ORT_RUNTIME_FILES) copyFileSync(join(ortDir, 'dist', file), join(dist, file));
// tsc's unbundled worker.js came with these; they describe a file that no longer exists.
for (const stale of ['worker.js.map', 'worker.d.ts']) rmSync(join(dist, stale), { force: true });

// Licences of every package that ended up in dist/worker.js or was copied beside it.
const roots = new Set([ortDir]);
for (const input of Object.keys(result.metafile.inputs)) {
  if (input.startsWith('webembed:')) continue;
  const root = packageRootOf(join(packageDir, input));
  if (!readPackage(root).name.startsWith('@webembed/')) roots.add(root);
}
const sections = [...roots]
  .map((root) => {
    const pkg = readPackage(root);
    const licenceFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE'].find((f) =>
      existsSync(join(root, f)),
    );
    const text = licenceFile ? readFileSync(join(root, licenceFile), 'utf8').trim() : `(${pkg.license})`;
    return { name: pkg.name, version: pkg.version, license: pkg.license, text };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
writeFileSync(
  join(dist, 'THIRD-PARTY-LICENSES.md'),
  `# Third-party software in dist/worker.js and dist/ort-wasm-simd-threaded.asyncify.*\n\n${sections
    .map((s) => `## ${s.name} ${s.version} (${s.license})\n\n\`\`\`\n${s.text}\n\`\`\`\n`)
    .join('\n')}`,
);

const size = (f) => `${(statSync(join(dist, f)).size / 1e6).toFixed(2)} MB`;
console.log(
  `dist/worker.js ${size('worker.js')} (onnxruntime-web ${ortVersion}, ${sections.length} packages bundled or copied); ${ORT_RUNTIME_FILES.map((f) => `${f} ${size(f)}`).join(', ')}`,
);

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPackedPackage, relativeSpecifiers } from '../pack-check.mjs';

// The consumer check's static part, fed packages built to be broken the ways the published
// packages were: the engine's compiled client pointing at ./worker.ts (which only exists in the
// repository), exports through the repository-only source condition, TypeScript sources shipped.
const dirs: string[] = [];

function fakePackage(files: Record<string, string>, manifest: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'webembed-pack-check-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: '@webembed/fake', version: '0.1.0', ...manifest }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const exportsOk = { exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } };
const engineLike = (workerUrl: string) => ({
  'dist/index.js': "export { start } from './client.js';\n",
  'dist/index.d.ts': 'export declare function start(): Worker;\n',
  'dist/client.js': `/** e.g. new Worker(new URL('./my-worker.ts', import.meta.url)) in a comment is fine */\nexport function start() {\n  return new Worker(new URL('${workerUrl}', import.meta.url), { type: 'module' });\n}\n`,
  'dist/worker.js':
    "const wasm = new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url);\n/** @type {import('./types.js').T} */\nexport default wasm;\n",
  'dist/ort-wasm-simd-threaded.asyncify.wasm': '\0asm',
});

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('checkPackedPackage', () => {
  it('passes a package whose worker and runtime file URLs resolve inside it', () => {
    expect(checkPackedPackage(fakePackage(engineLike('./worker.js'), exportsOk))).toEqual([]);
  });

  it("fails the engine as main packed it: dist/client.js starts the worker from './worker.ts'", () => {
    const problems = checkPackedPackage(fakePackage(engineLike('./worker.ts'), exportsOk));
    expect(problems).toEqual([
      '@webembed/fake: dist/client.js refers to ./worker.ts, which the tarball lacks',
    ]);
  });

  it('fails a missing runtime file, the source condition, shipped sources and a dangling export', () => {
    const files: Record<string, string> = { ...engineLike('./worker.js'), 'src/index.ts': 'export {};\n' };
    delete files['dist/ort-wasm-simd-threaded.asyncify.wasm'];
    const problems = checkPackedPackage(
      fakePackage(files, {
        exports: {
          '.': {
            '@webembed/source': './src/index.ts',
            types: './dist/index.d.ts',
            default: './dist/index.js',
          },
          './extra': './dist/extra.js',
        },
      }),
    );
    expect(problems).toEqual([
      '@webembed/fake: package.json still resolves through the repository-only @webembed/source condition',
      '@webembed/fake: exports ./extra points at ./dist/extra.js, which the tarball lacks',
      '@webembed/fake: ships TypeScript source src/index.ts',
      '@webembed/fake: dist/worker.js refers to ./ort-wasm-simd-threaded.asyncify.wasm, which the tarball lacks',
    ]);
  });

  it('reads static, dynamic and URL specifiers, and none from comments', () => {
    const code = [
      "import a from './a.js';",
      "export * from '../b.js';",
      "import './c.js';",
      "const d = await import('./d.js');",
      'const e = new URL(`./e.wasm`, import.meta.url);',
      "// import('./not-code.js')",
      "import x from 'bare-package';",
    ].join('\n');
    expect(relativeSpecifiers(code).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.wasm']);
  });
});

// Static checks of a packed package, as a consumer's bundler and Node would see it: every
// file the package.json points at, every relative import and every
// `new URL('./file', import.meta.url)` (how the engine reaches its worker and the ONNX runtime
// files) must exist in the tarball, and nothing may mention the repository-only
// `@webembed/source` condition or ship TypeScript sources. Used by run.mjs on the real tarballs
// and by test/pack-check.test.ts on deliberately broken ones.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { transformSync } from 'esbuild';

/** Every file below `dir`, as paths relative to it with `/` separators. */
export function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, base) : [relative(base, path).split(sep).join('/')];
  });
}

/** The string leaves of an exports/imports map, with the condition path that leads to each. */
function targets(map, path = []) {
  if (typeof map === 'string') return [{ path: path.join(' > '), target: map }];
  if (map === null || typeof map !== 'object') return [];
  return Object.entries(map).flatMap(([key, value]) => targets(value, [...path, key]));
}

// Relative module specifiers in compiled JavaScript: static imports/exports, dynamic imports
// with a literal, and `new URL('./x', import.meta.url)` (workers, WASM and other assets).
const SPECIFIER_PATTERNS = [
  /\b(?:import|export)\b[^'"`;]*?\bfrom\s*(["'])(\.{1,2}\/[^"']+)\1/g,
  /\bimport\s*(["'])(\.{1,2}\/[^"']+)\1/g,
  /\bimport\(\s*(["'])(\.{1,2}\/[^"']+)\1\s*\)/g,
  /\bnew\s+URL\(\s*(["'`])(\.{1,2}\/[^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g,
];

/** The relative specifiers `code` uses (comments ignored), deduplicated. */
export function relativeSpecifiers(code) {
  // esbuild drops comments (JSDoc `import('./x.js')` types, examples); the code keeps its meaning.
  const stripped = transformSync(code, { loader: 'js', minifyWhitespace: true, legalComments: 'none' }).code;
  const found = new Set();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of stripped.matchAll(pattern)) found.add(match[2]);
  }
  return [...found];
}

/**
 * Problems of the unpacked package in `dir` (the `package/` folder of a tarball), as sentences
 * naming the file; empty when it is fit to install.
 */
export function checkPackedPackage(dir) {
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const name = manifest.name ?? dir;
  const files = new Set(listFiles(dir));
  const resolution = ['exports', 'imports', 'main', 'module', 'types', 'browser', 'bin'].map(
    (f) => manifest[f],
  );
  if (JSON.stringify(resolution).includes('@webembed/source')) {
    problems.push(
      `${name}: package.json still resolves through the repository-only @webembed/source condition`,
    );
  }
  for (const [field, map] of [
    ['exports', manifest.exports],
    ['imports', manifest.imports],
    ['bin', manifest.bin],
  ]) {
    for (const { path, target } of targets(map ?? {})) {
      const file = target.replace(/^\.\//, '');
      if (!files.has(file))
        problems.push(`${name}: ${field} ${path} points at ${target}, which the tarball lacks`);
    }
  }
  for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    if (String(range).startsWith('workspace:')) problems.push(`${name}: dependency ${dep} is still ${range}`);
  }
  for (const file of files) {
    if (file.startsWith('src/') || (/\.(ts|mts|cts|tsx)$/.test(file) && !/\.d\.[mc]?ts$/.test(file))) {
      problems.push(`${name}: ships TypeScript source ${file}`);
    }
  }
  for (const file of files) {
    if (!/\.(m?js)$/.test(file)) continue;
    const code = readFileSync(join(dir, file), 'utf8');
    for (const specifier of relativeSpecifiers(code)) {
      const target = join(dirname(file), specifier.split(/[?#]/)[0]).split(sep).join('/');
      if (!files.has(target))
        problems.push(`${name}: ${file} refers to ${specifier}, which the tarball lacks`);
    }
  }
  return problems;
}

/** Unpacks `tarball` into `into/<tarball name>/` with the system tar; returns the `package/` folder. */
export function unpackTarball(tarball, into) {
  const out = join(
    into,
    tarball
      .split(/[\\/]/)
      .pop()
      .replace(/\.tgz$/, ''),
  );
  mkdirSync(out, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', out]);
  const root = join(out, 'package');
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new Error(`${tarball} has no package/ folder`);
  return root;
}

// Keeps the dependency direction of the monorepo visible and enforced: pure math at the
// bottom (layer 0), text/GPU/storage/the remote protocol above it (1), the engine above those (2), the
// pgvector server package (3), and the CLI, apps and benchmarks on top (4). A package may
// depend only on strictly lower layers, and every `@webembed/*` import in its sources must
// be a declared dependency.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Manifest {
  name: string;
  webembed?: { layer?: number };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function workspaceDirs(): string[] {
  const dirs = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(root, group, name)),
  );
  return [...dirs, join(root, 'bench')].filter((dir) => {
    try {
      return statSync(join(dir, 'package.json')).isFile();
    } catch {
      return false;
    }
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const manifests = new Map<string, { dir: string; manifest: Manifest }>();
for (const dir of workspaceDirs()) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  manifests.set(manifest.name, { dir, manifest });
}

describe('package layering', () => {
  for (const [name, { dir, manifest }] of manifests) {
    it(`${name} depends only on lower layers and declares what it imports`, () => {
      const layer = manifest.webembed?.layer;
      expect(layer, `${name} declares webembed.layer`).toBeTypeOf('number');
      const declared = { ...manifest.dependencies, ...manifest.devDependencies };
      for (const dep of Object.keys(declared).filter((d) => d.startsWith('@webembed/'))) {
        const target = manifests.get(dep);
        expect(target, `${name} depends on unknown workspace package ${dep}`).toBeDefined();
        const depLayer = target!.manifest.webembed?.layer ?? Number.POSITIVE_INFINITY;
        expect(
          depLayer,
          `${name} (layer ${layer}) must not depend on ${dep} (layer ${depLayer})`,
        ).toBeLessThan(layer as number);
      }
      let srcDir: string;
      try {
        srcDir = join(dir, 'src');
        statSync(srcDir);
      } catch {
        return;
      }
      for (const file of sourceFiles(srcDir)) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/from\s+['"](@webembed\/[a-z0-9-]+)/g)) {
          // TSDoc examples show a package importing itself; only other packages need declaring.
          if (match[1] === name) continue;
          expect(declared, `${file} imports ${match[1]} without declaring it`).toHaveProperty([match[1]]);
        }
      }
    });
  }
});

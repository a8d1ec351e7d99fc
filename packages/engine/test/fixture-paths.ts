// Paths of the fixture models for Node tests; builds them when missing (fast, skipped when fresh).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(packageDir, '..', '..');
export const fixtureModelsDir = join(repoRoot, '.fixtures', 'models');

export interface ReferenceProbe {
  text: string;
  ids: number[];
  mean: number[];
  cls: number[];
  meanQ8: number[];
  clsQ8: number[];
}

export function ensureFixtures(): void {
  execFileSync(process.execPath, [join(packageDir, 'scripts', 'build-fixtures.mjs')], { stdio: 'pipe' });
}

export function readReference(name: string): { hidden: number; maxTokens: number; probes: ReferenceProbe[] } {
  return JSON.parse(
    readFileSync(join(fixtureModelsDir, 'webembed-fixtures', name, 'reference.json'), 'utf8'),
  );
}

export interface ConceptTable {
  languages: string[];
  concepts: { concept: string; kind: string; [lang: string]: string | string[] }[];
  examples: Record<string, string>[];
}

export function readConcepts(): ConceptTable {
  return JSON.parse(readFileSync(join(packageDir, 'fixtures', 'crosslingual-concepts.json'), 'utf8'));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

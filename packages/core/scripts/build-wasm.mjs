#!/usr/bin/env node
// Assembles the hand-written WebAssembly text modules of packages/core/src/wasm/*.wat with wabt
// and writes each as a base64 constant in src/wasm/<name>-wasm.ts, so the runtime needs no
// assembler and no fetch. A line `;; #include <file>.wati` is replaced by that fragment of the
// same folder (code several modules share, such as the top-k heap). `--check` exits 1 when a
// generated file is out of date.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtFactory from 'wabt';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'wasm');

/** The text of a .wat file with its `;; #include` lines replaced by the named fragments. */
export function expandIncludes(watFile) {
  return readFileSync(join(dir, watFile), 'utf8').replace(
    /^[ \t]*;; #include ([\w.-]+\.wati)[ \t]*$/gm,
    (_, fragment) => readFileSync(join(dir, fragment), 'utf8').trimEnd(),
  );
}

/** The generated TypeScript source for one .wat file. */
export async function generate(watFile) {
  const wabt = await wabtFactory();
  const text = expandIncludes(watFile);
  const module = wabt.parseWat(watFile, text, { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  const base64 = Buffer.from(buffer).toString('base64');
  const constant = `${watFile
    .replace(/\.wat$/, '')
    .toUpperCase()
    .replace(/-/g, '_')}_WASM_BASE64`;
  const lines = base64.match(/.{1,100}/g).map((chunk) => `  '${chunk}'`);
  return `// Generated from ${watFile} by packages/core/scripts/build-wasm.mjs; do not edit by hand.\n\n/** The assembled ${watFile} module (${buffer.length} bytes), base64. */\nexport const ${constant} =\n${lines.join(' +\n')};\n`;
}

async function main() {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
    const target = join(dir, file.replace(/\.wat$/, '-wasm.ts'));
    const source = await generate(file);
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {}
    if (current === source) continue;
    if (check) {
      console.error(`${target} is out of date; run node packages/core/scripts/build-wasm.mjs`);
      stale = true;
    } else {
      writeFileSync(target, source);
      console.log(`wrote ${target}`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

#!/usr/bin/env node
// Downloads the files transformers.js needs for one model from the Hugging Face Hub (or a mirror)
// into <out>/<model id>/, and checks them against pinned SHA-256 sums.
//
// Sums live in scripts/model-sums.json, keyed "<model id>@<revision>" -> { file: sha256 }. This
// repository ships it without entries: no sum here was ever verified by a download (the machine the
// project is built on has no access to the Hub), and inventing them would be worse than none.
// The first download of a model@revision on a machine with network access records the sums it saw
// (trust on first use) and says so; commit the file to pin them. Every later download is checked
// against the pinned sums and a mismatch fails with the file name, both hashes, and the file removed.
// Pin a revision (a commit hash) rather than `main` for sums that stay valid.
//
// Usage: node scripts/fetch-model.mjs <model id> [--dtype q8|fp32|fp16|q4] [--revision main]
//          [--out dir] [--host https://huggingface.co]
//   --out defaults to $WEBEMBED_MODELS_DIR, else <repo>/.fixtures/models.
//   Then: WEBEMBED_MODELS_DIR=<out> pnpm bench engine (or set env.localModelPath to <out>).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const sumsPath = join(here, 'model-sums.json');
const SUFFIX = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4' };

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const modelId = process.argv[2];
if (!modelId || modelId.startsWith('--') || !/^[\w.-]+\/[\w.-]+$/.test(modelId)) {
  console.error('usage: node scripts/fetch-model.mjs <org/model> [--dtype q8] [--revision main] [--out dir]');
  process.exit(2);
}
const dtype = option('dtype', 'q8');
if (!(dtype in SUFFIX)) {
  console.error(`--dtype must be one of ${Object.keys(SUFFIX).join(', ')}, got ${dtype}`);
  process.exit(2);
}
const revision = option('revision', 'main');
const host = option('host', 'https://huggingface.co').replace(/\/$/, '');
const out = option('out', process.env.WEBEMBED_MODELS_DIR || join(repoRoot, '.fixtures', 'models'));
const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${SUFFIX[dtype]}.onnx`];
const optional = new Set(['special_tokens_map.json']);
files.push(...optional);

const sums = existsSync(sumsPath) ? JSON.parse(readFileSync(sumsPath, 'utf8')) : {};
const key = `${modelId}@${revision}`;
const pinned = sums[key] ?? {};
const seen = {};
let failed = false;

for (const file of files) {
  const url = `${host}/${modelId}/resolve/${encodeURIComponent(revision)}/${file}`;
  const target = join(out, modelId, file);
  mkdirSync(dirname(target), { recursive: true });
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    console.error(`[fetch-model] ${url}: ${err.message} (no network access to ${host}?)`);
    process.exit(1);
  }
  if (!response.ok) {
    if (optional.has(file) && response.status === 404) continue;
    console.error(`[fetch-model] ${url}: HTTP ${response.status}`);
    process.exit(1);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const sha = createHash('sha256').update(bytes).digest('hex');
  seen[file] = sha;
  if (pinned[file] && pinned[file] !== sha) {
    console.error(
      `[fetch-model] ${file}: SHA-256 ${sha} does not match the pinned ${pinned[file]}; not written`,
    );
    failed = true;
    continue;
  }
  writeFileSync(`${target}.part`, bytes);
  renameSync(`${target}.part`, target);
  console.log(
    `[fetch-model] ${file}: ${bytes.length} bytes, sha256 ${sha}${pinned[file] ? ' (matches pin)' : ''}`,
  );
}

if (failed) {
  for (const file of Object.keys(seen)) rmSync(join(out, modelId, file), { force: true });
  process.exit(1);
}
const newlyPinned = Object.keys(seen).filter((f) => !pinned[f]);
if (newlyPinned.length > 0) {
  sums[key] = { ...pinned, ...Object.fromEntries(newlyPinned.map((f) => [f, seen[f]])) };
  writeFileSync(sumsPath, `${JSON.stringify(sums, null, 2)}\n`);
  console.log(
    `[fetch-model] recorded first-seen sums for ${newlyPinned.join(', ')} in scripts/model-sums.json (trust on first use); commit it to pin them`,
  );
}
console.log(`[fetch-model] ${modelId} (${dtype}, ${revision}) is in ${join(out, modelId)}`);

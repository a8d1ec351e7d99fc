#!/usr/bin/env node
// Copies a transformers.js model folder into apps/demo/public/models/<model id>/ so a build can serve
// it from the app's own origin instead of the Hugging Face Hub:
//
//   pnpm --filter @webembed/demo run copy-model -- <folder> [--id Xenova/multilingual-e5-small] [--all-dtypes]
//   WEBEMBED_MODEL_BASE=models/ pnpm build
//
// <folder> is a local download of the model repository (config.json, tokenizer files, onnx/...). Only
// the files transformers.js loads are copied: the tokenizer/config JSON files and, by default, the q8
// weights (onnx/model_quantized.onnx); --all-dtypes copies every onnx/*.onnx.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const flag = (name) => {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const id = flag('--id') ?? 'Xenova/multilingual-e5-small';
const allDtypes = args.includes('--all-dtypes');
const source = args.find((a) => !a.startsWith('--'));

if (!source || !existsSync(source) || !statSync(source).isDirectory()) {
  console.error('usage: copy-model <model folder> [--id org/name] [--all-dtypes]');
  console.error(source ? `not a folder: ${source}` : 'missing the model folder');
  process.exit(2);
}
if (!/^[\w.-]+\/[\w.-]+$/.test(id)) {
  console.error(`--id must look like org/name, got "${id}"`);
  process.exit(2);
}

const CONFIG_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'sentencepiece.bpe.model',
  'vocab.txt',
];
const target = join(here, '..', 'public', 'models', ...id.split('/'));
mkdirSync(join(target, 'onnx'), { recursive: true });

const copied = [];
for (const name of CONFIG_FILES) {
  const from = join(source, name);
  if (existsSync(from)) {
    copyFileSync(from, join(target, name));
    copied.push(name);
  }
}
const onnxDir = join(source, 'onnx');
const weights = existsSync(onnxDir)
  ? readdirSync(onnxDir).filter((f) => f.endsWith('.onnx') && (allDtypes || f === 'model_quantized.onnx'))
  : [];
for (const name of weights) {
  copyFileSync(join(onnxDir, name), join(target, 'onnx', name));
  copied.push(`onnx/${name}`);
}
for (const required of ['config.json', 'tokenizer.json']) {
  if (!copied.includes(required)) {
    console.error(`${required} missing in ${source}: not a transformers.js model folder`);
    process.exit(1);
  }
}
if (weights.length === 0) {
  console.error(`no ${allDtypes ? '*.onnx' : 'onnx/model_quantized.onnx'} in ${source}`);
  process.exit(1);
}
console.log(`copied ${copied.length} files to ${target}:\n  ${copied.join('\n  ')}`);
console.log('build with: WEBEMBED_MODEL_BASE=models/ pnpm build');

import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCollectionFile } from '@webembed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXIT,
  type IndexCommand,
  indexFolder,
  journalPathFor,
  parseCommandLine,
  runCli,
} from '../src/index.js';
import { MODEL, modelsDir, repo } from './fixture-model.js';
import { sink } from './output-sink.js';

const bin = join(repo, 'packages', 'cli', 'src', 'bin.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--conditions=@webembed/source', '--import', 'tsx', bin, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'webembed-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('webembed index (end to end on the fixture model)', () => {
  it('indexes a folder, reports and skips bad inputs, and writes a decodable file', async () => {
    const docs = join(work, 'mixed');
    mkdirSync(join(docs, 'guide'), { recursive: true });
    mkdirSync(join(docs, '.hidden'), { recursive: true });
    writeFileSync(join(docs, 'fox.txt'), 'The quick brown fox jumps over the lazy dog. '.repeat(12));
    writeFileSync(join(docs, 'guide', 'intro.md'), '# Intro\n\nVector search runs in the browser!');
    writeFileSync(join(docs, '.hidden', 'skip.txt'), 'never read');
    writeFileSync(join(docs, 'notes.bin'), 'not a supported extension');
    writeFileSync(
      join(docs, 'items.json'),
      JSON.stringify([
        { id: 'sku', text: 'Order SKU-4711X shipped', metadata: { lang: 'en' } },
        'a plain string',
        42,
      ]),
    );
    writeFileSync(
      join(docs, 'lines.jsonl'),
      '{"id":"l1","text":"hello world"}\n{broken\n\n{"text":"the dog"}\n',
    );
    writeFileSync(join(docs, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    symlinkSync(join(docs, 'missing-target.txt'), join(docs, 'dangling.txt'));
    const out = join(work, 'mixed.webembed');

    const run = await startCli([
      'index',
      docs,
      '--model',
      MODEL,
      '--dtype',
      'fp32',
      '--models-dir',
      modelsDir,
      '--out',
      out,
      '--chunk-tokens',
      '24',
      '--overlap',
      '4',
      '--json',
    ]).done;
    expect(run.stderr).toContain('embedded');
    expect(run.code).toBe(EXIT.partial);
    const summary = JSON.parse(run.stdout);
    expect(summary.documents).toBe(6);
    const reasons = summary.skipped.map((s: { path: string; reason: string }) => `${s.path}: ${s.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^dangling\.txt: cannot read file/),
      expect.stringMatching(/^items\.json: expected a string/),
      expect.stringMatching(/^latin1\.txt: not valid UTF-8/),
      expect.stringMatching(/^lines\.jsonl: invalid JSON line/),
    ]);
    expect(summary.skipped[3].line).toBe(2);
    expect(existsSync(journalPathFor(out))).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const file = decodeCollectionFile(new Uint8Array(readFileSync(out)));
    expect(file.fingerprint).toMatchObject({ modelId: MODEL, dims: 32, dtype: 'fp32', pooling: 'mean' });
    expect(file.rows).toBe(summary.chunks);
    expect([...file.kinds].sort()).toEqual(['binary', 'float32', 'int8']); // the engine's default forms
    const docIds = new Set(file.ids.map((id, r) => (file.metadata![r]?.$parent as string | undefined) ?? id));
    expect(docIds).toEqual(
      new Set(['fox.txt', 'guide/intro.md', 'sku', 'items.json#1', 'l1', 'lines.jsonl#4']),
    );
    // the long document was chunked with overlap; chunks tile its text
    const fox = file.ids.map((id, r) => ({ id, r })).filter(({ id }) => id.startsWith('fox.txt#'));
    expect(fox.length).toBeGreaterThan(3);
    const foxText = readFileSync(join(docs, 'fox.txt'), 'utf8');
    for (const { r } of fox) {
      const m = file.metadata![r]!;
      expect(m).toMatchObject({ $parent: 'fox.txt', source: 'fox.txt' });
      expect(file.texts![r]).toBe(foxText.slice(m.$start as number, m.$end as number));
    }
    // a document that fits one chunk is one row under its own id (the engine's convention)
    expect(file.metadata![file.ids.indexOf('sku')]).toEqual({ lang: 'en', source: 'items.json' });
    // unit vectors
    const v = file.float32!.data.subarray(0, 32);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it('resumes after being killed mid-run without losing or doubling a chunk', async () => {
    const docs = join(work, 'many');
    mkdirSync(docs, { recursive: true });
    const words = ['alpha', 'browser', 'vector', 'search', 'offline', 'model', 'token', 'index'];
    for (let i = 0; i < 16; i++) {
      const text = Array.from({ length: 10 + (i % 7) * 6 }, (_, j) => words[(i * 3 + j) % words.length]).join(
        ' ',
      );
      writeFileSync(join(docs, `doc-${String(i).padStart(2, '0')}.txt`), `${text}.`);
    }
    const common = ['--model', MODEL, '--dtype', 'fp32', '--models-dir', modelsDir, '--chunk-tokens', '16'];
    const out = join(work, 'many.webembed');
    const journal = journalPathFor(out);
    const first = startCli(['index', docs, ...common, '--out', out, '--batch-size', '2'], {
      WEBEMBED_CLI_THROTTLE_MS: '100',
    });
    // Kill hard once a few documents are journaled.
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 4) break;
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    const journaled = readFileSync(journal, 'utf8').split('\n').filter(Boolean).length - 1;
    expect(journaled).toBeGreaterThan(2);
    expect(journaled).toBeLessThan(16);

    const resumed = { stdout: sink(), stderr: sink(), env: {} };
    expect(await runCli(['index', docs, ...common, '--out', out, '--resume', '--json'], resumed)).toBe(
      EXIT.ok,
    );
    const summary = JSON.parse(resumed.stdout.text);
    expect(summary.resumedDocuments).toBe(journaled);
    expect(existsSync(journal)).toBe(false);

    // Reference: the same folder indexed in one go, in-process.
    const refOut = join(work, 'many-ref.webembed');
    const command = parseCommandLine(['index', docs, ...common, '--out', refOut]) as IndexCommand;
    await indexFolder(command);
    const a = decodeCollectionFile(new Uint8Array(readFileSync(out)));
    const b = decodeCollectionFile(new Uint8Array(readFileSync(refOut)));
    expect(new Set(a.ids).size).toBe(a.ids.length);
    expect(a.ids).toEqual(b.ids);
    expect(a.texts).toEqual(b.texts);
    for (let i = 0; i < a.float32!.data.length; i++) {
      expect(Math.abs(a.float32!.data[i] - b.float32!.data[i])).toBeLessThan(1e-5);
    }
  });
});

describe('runCli in process', () => {
  const io = () => ({ stdout: sink(), stderr: sink(), env: {} as NodeJS.ProcessEnv });

  it('prints help and version', async () => {
    let s = io();
    expect(await runCli(['--help'], s)).toBe(EXIT.ok);
    expect(s.stdout.text).toContain('webembed index <folder>');
    s = io();
    expect(await runCli(['index', '--help'], s)).toBe(EXIT.ok);
    expect(s.stdout.text).toContain('--resume');
    s = io();
    expect(await runCli(['--version'], s)).toBe(EXIT.ok);
    expect(s.stdout.text).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects bad command lines with exit code 2 and a reason', async () => {
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['search'], /unknown command/],
      [['index', 'docs', '--out', 'x.webembed'], /--model/],
      [['index', 'docs', '--model', 'm'], /--out/],
      [['index', '--model', 'm', '--out', 'o'], /exactly one folder/],
      [['index', 'd', '--model', 'm', '--out', 'o', '--dtype', 'int3'], /--dtype/],
      [['index', 'd', '--model', 'm', '--out', 'o', '--chunk-tokens', 'ten'], /--chunk-tokens/],
      [['index', 'd', '--model', 'm', '--out', 'o', '--chunk-tokens', '8', '--overlap', '8'], /--overlap/],
      [['index', 'd', '--model', 'm', '--out', 'o', '--kinds', 'float32,pq'], /--kinds/],
      [['index', 'd', '--model', 'm', '--out', 'o', '--frobnicate'], /frobnicate/],
    ];
    for (const [argv, message] of cases) {
      const s = io();
      expect(await runCli(argv, s), argv.join(' ')).toBe(EXIT.usage);
      expect(s.stderr.text).toMatch(message);
    }
  });

  it('fails with exit code 1 for a missing folder or model, and 2 for a too-large chunk', async () => {
    let s = io();
    const base = [
      '--model',
      MODEL,
      '--dtype',
      'fp32',
      '--models-dir',
      modelsDir,
      '--out',
      join(work, 'x.webembed'),
    ];
    expect(await runCli(['index', join(work, 'nope'), ...base], s)).toBe(EXIT.failure);
    expect(s.stderr.text).toMatch(/NOT_FOUND/);
    const docs = join(work, 'one');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'a.txt'), 'hello world');
    s = io();
    expect(await runCli(['index', docs, ...base.slice(0, 4), '--models-dir', work, '--out', 'y'], s)).toBe(
      EXIT.failure,
    );
    expect(s.stderr.text).toMatch(/MODEL_LOAD_FAILED/);
    s = io();
    expect(await runCli(['index', docs, ...base, '--chunk-tokens', '4096'], s)).toBe(EXIT.usage);
    expect(s.stderr.text).toMatch(/exceeds the 128-token window/);
    s = io();
    const empty = join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(await runCli(['index', empty, ...base], s)).toBe(EXIT.failure);
    expect(s.stderr.text).toMatch(/EMPTY_CORPUS/);
  });

  it('stops on a signal with exit code 130 and keeps the journal', async () => {
    const docs = join(work, 'abort');
    mkdirSync(docs, { recursive: true });
    for (let i = 0; i < 6; i++)
      writeFileSync(join(docs, `d${i}.txt`), `document number ${i} about the browser`);
    const out = join(work, 'abort.webembed');
    const controller = new AbortController();
    const s = { ...io(), signal: controller.signal };
    const argv = [
      'index',
      docs,
      '--model',
      MODEL,
      '--dtype',
      'fp32',
      '--models-dir',
      modelsDir,
      '--out',
      out,
    ];
    const running = runCli([...argv, '--batch-size', '1'], {
      ...s,
      env: { WEBEMBED_CLI_THROTTLE_MS: '100' },
    });
    // abort (as SIGINT does in bin.ts) once two documents are journaled
    const journal = journalPathFor(out);
    while (!(existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 3)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    const code = await running;
    expect(code).toBe(EXIT.interrupted);
    expect(s.stderr.text).toMatch(/--resume/);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(journalPathFor(out), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(1);
    // A file that changed since the interrupted run is embedded again, not taken from the journal.
    writeFileSync(join(docs, 'd0.txt'), 'document number zero, rewritten');
    const again = io();
    expect(await runCli([...argv, '--resume', '--json'], again)).toBe(EXIT.ok);
    const summary = JSON.parse(again.stdout.text);
    expect(summary.resumedDocuments).toBeGreaterThan(0);
    expect(summary.resumedDocuments).toBeLessThan(6);
    const file = decodeCollectionFile(new Uint8Array(readFileSync(out)));
    expect(file.rows).toBe(6);
    expect(file.texts![file.ids.indexOf('d0.txt')]).toBe('document number zero, rewritten');
  });
});

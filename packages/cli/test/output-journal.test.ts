import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModelFingerprint, isWebEmbedError } from '@webembed/core';
import { decodeCollectionFile } from '@webembed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXIT,
  type IndexCommand,
  JOURNAL_VERSION,
  type JournalHeader,
  indexFolder,
  journalPathFor,
  openJournal,
  parseCommandLine,
  readJournal,
  runCli,
} from '../src/index.js';
import { MODEL, modelsDir } from './fixture-model.js';
import { sink } from './output-sink.js';

const io = () => ({ stdout: sink(), stderr: sink(), env: {} as NodeJS.ProcessEnv });

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'webembed-cli-out-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function docsFolder(name: string, count: number): string {
  const docs = join(work, name);
  mkdirSync(docs, { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(join(docs, `d${i}.txt`), `document number ${i} about the browser`);
  return docs;
}

const model = ['--model', MODEL, '--dtype', 'fp32', '--models-dir', modelsDir];

describe('the output path is checked before any work', () => {
  it('a missing output folder fails with NOT_FOUND before the model is even loaded', async () => {
    const docs = docsFolder('out-missing', 2);
    const s = io();
    const out = join(work, 'no-such-folder', 'x.webembed');
    // --models-dir points nowhere: were the model loaded first, this would be MODEL_LOAD_FAILED.
    const argv = ['index', docs, '--model', MODEL, '--models-dir', join(work, 'no-models'), '--out', out];
    expect(await runCli(argv, s)).toBe(EXIT.failure);
    expect(s.stderr.text).toMatch(/NOT_FOUND/);
    expect(s.stderr.text).toContain('no-such-folder');
    expect(s.stderr.text).not.toMatch(/ENOENT|MODEL_LOAD_FAILED/);
  });

  it('an --out that is a folder (or below a file) fails with INVALID_ARGUMENT before embedding', async () => {
    const docs = docsFolder('out-folder', 3);
    const target = join(work, 'a-folder');
    mkdirSync(target);
    let started = 0;
    const progress = { start: () => started++, increment: () => {}, stop: () => {} };
    for (const out of [target, join(docs, 'd0.txt', 'x.webembed')]) {
      const command = parseCommandLine(['index', docs, ...model, '--out', out]) as IndexCommand;
      let caught: unknown;
      try {
        await indexFolder(command, { progress });
      } catch (err) {
        caught = err;
      }
      expect(isWebEmbedError(caught, 'INVALID_ARGUMENT'), String(caught)).toBe(true);
      expect(String((caught as Error).message)).toContain('--out');
    }
    expect(started).toBe(0); // no embedding was started
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(work).filter((f) => f.includes('.probe-') || f.includes('.tmp-'))).toEqual([]);
    const s = io();
    expect(await runCli(['index', docs, ...model, '--out', target], s)).toBe(EXIT.usage);
    expect(s.stderr.text).toMatch(/is a folder.*\[INVALID_ARGUMENT\]/);
    expect(s.stderr.text).not.toMatch(/EISDIR/);
  });
});

const fingerprint: ModelFingerprint = {
  modelId: 'test/model',
  revision: 'main',
  dims: 4,
  pooling: 'mean',
  normalized: true,
  prefixScheme: 'none',
  matryoshkaDims: null,
  dtype: 'fp32',
};
const header: JournalHeader = {
  journal: 'webembed-cli',
  version: JOURNAL_VERSION,
  fingerprint,
  chunkTokens: 16,
  overlap: 0,
};
/**
 * The line with the sign/exponent byte of its first vector's first float changed (base64 character
 * 4 holds the top bits of byte 3): same length, still valid JSON and base64, a very different vector.
 */
function alterVector(line: string): string {
  return line.replace(
    /("vector":"....)(.)/,
    (_, before: string, c: string) => `${before}${c === 'Q' ? 'w' : 'Q'}`,
  );
}

const chunk = (id: string, seed: number) => ({
  id,
  text: `text of ${id}`,
  metadata: { source: id },
  vector: Float32Array.from([seed, seed + 0.5, -seed, 0.25]),
});

describe('journal checksums', () => {
  function writeJournal(name: string): string {
    const path = join(work, `${name}.journal`);
    const writer = openJournal(path, header, true);
    writer.append([
      { key: 'a', chunks: [chunk('a', 1)] },
      { key: 'b', chunks: [chunk('b#0', 2), chunk('b#1', 3)] },
    ]);
    writer.append([{ key: 'c', chunks: [chunk('c', 4)] }]);
    writer.close();
    return path;
  }

  it('reuses verified lines and never an altered one (its document is embedded again)', () => {
    const path = writeJournal('altered');
    const clean = readJournal(path, header);
    expect([...clean.done.keys()]).toEqual(['a', 'b', 'c']);
    expect(clean.ignored).toEqual([]);
    expect(clean.done.get('b')![1].vector).toEqual(chunk('b#1', 3).vector);
    const lines = readFileSync(path, 'utf8').split('\n');
    // One base64 character of b's vector changed: still valid JSON and base64, a different vector.
    lines[2] = alterVector(lines[2]);
    writeFileSync(path, lines.join('\n'));
    const read = readJournal(path, header);
    expect([...read.done.keys()]).toEqual(['a', 'c']);
    expect(read.ignored).toEqual([{ line: 3, reason: 'checksum' }]);
  });

  it('ignores a torn last line, refuses an altered header and a journal without checksums', () => {
    const path = writeJournal('torn');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    expect(readJournal(path, header).ignored).toEqual([{ line: 4, reason: 'torn' }]);
    // Appending after a torn line closes it off first; the new line verifies.
    const writer = openJournal(path, header, false);
    writer.append([{ key: 'd', chunks: [chunk('d', 5)] }]);
    writer.close();
    expect([...readJournal(path, header).done.keys()]).toEqual(['a', 'b', 'd']);

    const altered = text.replace('"chunkTokens":16', '"chunkTokens":61');
    writeFileSync(path, altered);
    expect(() => readJournal(path, header)).toThrowError(expect.objectContaining({ code: 'CORRUPT_FILE' }));
    const v1 = `${JSON.stringify({ ...header, version: 1 })}\n{"key":"a","chunks":[]}\n`;
    writeFileSync(path, v1);
    expect(() => readJournal(path, header)).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
  });

  it('does not reuse a verified line holding NaN or a vector of the wrong size', () => {
    const path = join(work, 'nan.journal');
    const writer = openJournal(path, header, true);
    writer.append([
      { key: 'nan', chunks: [{ ...chunk('nan', 1), vector: Float32Array.from([1, Number.NaN, 0, 0]) }] },
      { key: 'short', chunks: [{ ...chunk('short', 1), vector: Float32Array.from([1, 2, 3]) }] },
      { key: 'ok', chunks: [chunk('ok', 1)] },
    ]);
    writer.close();
    const read = readJournal(path, header);
    expect([...read.done.keys()]).toEqual(['ok']);
    expect(read.ignored).toEqual([
      { line: 2, reason: 'content' },
      { line: 3, reason: 'content' },
    ]);
  });

  it('end to end: a journal line altered between runs is embedded again, not copied into the output', async () => {
    const docs = docsFolder('resume-altered', 6);
    const out = join(work, 'resume-altered.webembed');
    const controller = new AbortController();
    const argv = ['index', docs, ...model, '--out', out, '--batch-size', '1'];
    const running = runCli(argv, {
      ...io(),
      signal: controller.signal,
      env: { WEBEMBED_CLI_THROTTLE_MS: '100' },
    });
    const journal = journalPathFor(out);
    while (!(existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 4)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    expect(await running).toBe(EXIT.interrupted);
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = alterVector(lines[1]);
    writeFileSync(journal, lines.join('\n'));

    const resumed = io();
    expect(await runCli([...argv, '--resume', '--json'], resumed)).toBe(EXIT.ok);
    expect(resumed.stderr.text).toMatch(/not reused.*2 \(checksum\)/);
    const summary = JSON.parse(resumed.stdout.text);
    expect(summary.resumedDocuments).toBe(lines.filter(Boolean).length - 2);

    const refOut = join(work, 'resume-altered-ref.webembed');
    await indexFolder(parseCommandLine(['index', docs, ...model, '--out', refOut]) as IndexCommand);
    const a = decodeCollectionFile(readFileSync(out));
    const b = decodeCollectionFile(readFileSync(refOut));
    expect(a.ids).toEqual(b.ids);
    for (let i = 0; i < a.float32!.data.length; i++) {
      expect(Math.abs(a.float32!.data[i] - b.float32!.data[i])).toBeLessThan(1e-5);
    }
  });
});

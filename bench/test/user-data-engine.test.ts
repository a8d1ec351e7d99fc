import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleDataset, parseQrelsJsonl, parseTextJsonl } from '../lib/mteb.js';
import { evaluateLabelled } from '../lib/user-data.js';
import { loadEngineEmbedder, planModelFolder } from '../lib/user-data-cli.js';

const root = join(import.meta.dirname, '..', '..');
const miniBert = join(root, '.fixtures', 'models', 'webembed-fixtures', 'mini-bert');

describe('user-data mode with the engine in-process embedder', () => {
  it('plans a model folder and names what is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'webembed-model-'));
    expect(() => planModelFolder(empty)).toThrowError(/lacks config\.json/);
    writeFileSync(join(empty, 'config.json'), '{"hidden_size": 8}');
    expect(() => planModelFolder(empty)).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
    writeFileSync(join(empty, 'tokenizer.json'), '{}');
    mkdirSync(join(empty, 'onnx'));
    writeFileSync(join(empty, 'onnx', 'model.onnx'), '');
    expect(planModelFolder(empty)).toMatchObject({ dims: 8, maxTokens: 512, dtype: 'fp32' });
    writeFileSync(join(empty, 'config.json'), '{oops');
    expect(() => planModelFolder(empty)).toThrowError(expect.objectContaining({ code: 'CORRUPT_FILE' }));
  });

  it('embeds a tiny labelled set with the mini-bert fixture and scores it', async () => {
    execFileSync(process.execPath, [join(root, 'packages', 'engine', 'scripts', 'build-fixtures.mjs')], {
      stdio: 'pipe',
    });
    const plan = planModelFolder(miniBert);
    expect(plan.modelId).toBe('webembed-fixtures/mini-bert');
    const embedder = await loadEngineEmbedder(miniBert, 'fp32');
    const data = assembleDataset(
      parseTextJsonl(
        [
          'alice fell down the rabbit hole',
          'the queen shouted off with her head',
          'tea party with the hatter',
        ]
          .map((text, i) => JSON.stringify({ _id: `d${i}`, text }))
          .join('\n'),
        'corpus.jsonl',
      ),
      // Each query is a document's own text, so exact search must rank that document first.
      parseTextJsonl(
        '{"_id":"q0","text":"alice fell down the rabbit hole"}\n{"_id":"q2","text":"tea party with the hatter"}',
        'queries.jsonl',
      ),
      parseQrelsJsonl(
        '{"query-id":"q0","corpus-id":"d0","score":1}\n{"query-id":"q2","corpus-id":"d2","score":1}',
        'qrels.jsonl',
      ),
    );
    const result = await evaluateLabelled(data, embedder.embed, 1);
    await embedder.dispose();
    expect(result.dims).toBe(32);
    const exact = result.scores.find((s) => s.path === 'float32 exact')!;
    expect(exact.ndcg).toBeCloseTo(1, 6);
    expect(exact.recall).toBeCloseTo(1, 6);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendRowBlock, blockIds } from '../src/blocks.js';
import { decodeRowBlock, encodeRowBlock } from '../src/row-io.js';

describe('packed row blocks', () => {
  it('round-trip any ids exactly (unicode, lone surrogates, long ids) with their tombstones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (ids, deleted) => {
          const rb = appendRowBlock(undefined, ids, 0, ids.length);
          deleted.slice(0, ids.length).forEach((d, i) => {
            rb.skip[i] = d ? 1 : 0;
          });
          const back = decodeRowBlock(encodeRowBlock(rb));
          expect(blockIds(back)).toEqual(ids);
          expect(Array.from(back.skip)).toEqual(Array.from(rb.skip));
        },
      ),
    );
  });

  it('appends to an existing block and decodes long id texts across chunk boundaries', () => {
    const first = Array.from({ length: 3000 }, (_, i) => `id-${i}-${'x'.repeat(i % 7)}`);
    const rb = appendRowBlock(undefined, first, 0, 2000);
    const more = appendRowBlock(decodeRowBlock(encodeRowBlock(rb)), first, 2000, 1000);
    expect(blockIds(decodeRowBlock(encodeRowBlock(more)))).toEqual(first);
    expect(more.idText.length).toBeGreaterThan(8192);
  });
});

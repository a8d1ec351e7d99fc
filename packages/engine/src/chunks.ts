/**
 * How documents become stored rows: one row a document, or one row a chunk when chunking is on.
 * Chunk rows carry their parent id and span in reserved metadata keys, and search results are
 * grouped back to one hit per parent document (its best chunk).
 *
 * @module
 */
import type { Metadata } from '@webembed/store';
import type { TextChunk } from '@webembed/text';

/** Reserved metadata keys of chunk rows. */
export const CHUNK_KEYS = {
  parent: '$parent',
  index: '$chunk',
  start: '$start',
  end: '$end',
} as const;

/** Stored id of chunk `index` of document `parentId`. */
export function chunkIdOf(parentId: string, index: number): string {
  return `${parentId}#${index}`;
}

/** Rows to embed and store, in columnar form. */
export interface ChunkPlan {
  readonly ids: string[];
  readonly texts: string[];
  readonly metadata: (Metadata | undefined)[];
}

type Chunker = (text: string, options: { maxTokens: number; overlapTokens: number }) => TextChunk[];

/**
 * One row per document, or (with `chunking`) one row per chunk of each document that needs more
 * than one chunk. `maxTokens` defaults to the model's window.
 */
export function planDocuments(
  docs: readonly { id: string; text: string; metadata?: Metadata }[],
  chunking: { maxTokens?: number; overlapTokens?: number } | null,
  modelMaxTokens: number,
  chunker: Chunker,
): ChunkPlan {
  const plan: ChunkPlan = { ids: [], texts: [], metadata: [] };
  for (const doc of docs) {
    const chunks = chunking
      ? chunker(doc.text, {
          maxTokens: chunking.maxTokens ?? modelMaxTokens,
          overlapTokens: chunking.overlapTokens ?? 0,
        })
      : [];
    if (chunks.length <= 1) {
      plan.ids.push(doc.id);
      plan.texts.push(doc.text);
      plan.metadata.push(doc.metadata);
      continue;
    }
    chunks.forEach((chunk, index) => {
      plan.ids.push(chunkIdOf(doc.id, index));
      plan.texts.push(chunk.text);
      plan.metadata.push({
        ...doc.metadata,
        [CHUNK_KEYS.parent]: doc.id,
        [CHUNK_KEYS.index]: index,
        [CHUNK_KEYS.start]: chunk.start,
        [CHUNK_KEYS.end]: chunk.end,
      });
    });
  }
  return plan;
}

/** The parent document id of a stored row. */
export function parentIdOf(rowId: string, metadata: Metadata | undefined): string {
  const parent = metadata?.[CHUNK_KEYS.parent];
  return typeof parent === 'string' ? parent : rowId;
}

/** A ranked row before grouping. */
export interface RankedRow {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  readonly score: number;
}

/** A hit after grouping. */
export interface GroupedHit extends RankedRow {
  readonly chunk?: { readonly index: number; readonly start: number; readonly end: number };
}

/** Keeps the first (best) row of each parent document, up to `k` documents, in rank order. */
export function groupByParent(rows: readonly RankedRow[], k: number): GroupedHit[] {
  const seen = new Set<string>();
  const hits: GroupedHit[] = [];
  for (const row of rows) {
    const parent = parentIdOf(row.id, row.metadata);
    if (seen.has(parent)) continue;
    seen.add(parent);
    if (parent === row.id) {
      hits.push(row);
    } else {
      const {
        [CHUNK_KEYS.parent]: _p,
        [CHUNK_KEYS.index]: index,
        [CHUNK_KEYS.start]: start,
        [CHUNK_KEYS.end]: end,
        ...rest
      } = row.metadata ?? {};
      hits.push({
        id: parent,
        text: row.text,
        metadata: Object.keys(rest).length > 0 ? rest : undefined,
        score: row.score,
        chunk: { index: Number(index), start: Number(start), end: Number(end) },
      });
    }
    if (hits.length === k) break;
  }
  return hits;
}

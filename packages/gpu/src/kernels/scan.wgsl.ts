/**
 * The scan kernel: scores one tile of corpus rows against a block of queries and writes each
 * query's best `listLen` hits of the tile, sorted, to a partial list. One workgroup covers
 * {@link TILE_ROWS} rows (one per invocation) and {@link queriesPerWorkgroup} queries, so every
 * corpus word is read once per workgroup however many queries it serves. Queries are staged
 * through workgroup memory in blocks of {@link queryBlock} units.
 *
 * Dispatch: `(tilesInSegment, ceil(queries / queriesPerWorkgroup))`, once per corpus segment.
 *
 * @module
 */
import { rankSelectWgsl } from './sort.wgsl.js';

/** Invocations per workgroup, and corpus rows per tile. */
export const TILE_ROWS = 256;

/**
 * Query units (words, or dims for float queries) staged in workgroup memory per step: 128 for
 * the 8-query modes, 256 for the 4-query ones, so staged queries plus one score lane per query
 * stay under the 16 KiB of workgroup memory every device offers. A multiple of 32.
 */
export function queryBlock(mode: ScanMode): number {
  return queriesPerWorkgroup(mode) === 8 ? 128 : 256;
}

/** Scoring rules of the scan kernel. */
export type ScanMode = 'hamming' | 'int8' | 'float32' | 'cosine' | 'asymmetric' | 'asymmetric-l1';

/** Compile-time shape of one scan kernel (row widths are uniforms, so one pipeline serves every width). */
export interface ScanKernelSpec {
  readonly mode: ScanMode;
  /**
   * float32/cosine only: rows are float16 pairs packed in u32 words, widened with
   * `unpack2x16float` (a core WGSL builtin, so no `shader-f16` needed) and accumulated in f32,
   * which keeps scores equal to the CPU's over the decoded rows.
   */
  readonly halfRows?: boolean;
  /** Use the `dot4I8Packed` builtin (language feature `packed_4x8_integer_dot_product`). */
  readonly packedDot: boolean;
}

/** Queries that share one workgroup (and one read of its corpus tile) for a mode. */
export function queriesPerWorkgroup(mode: ScanMode): number {
  return mode === 'hamming' || mode === 'int8' ? 8 : 4;
}

/** Query units per query in the query buffer: words for binary/int8, floats otherwise. */
export function queryUnits(mode: ScanMode, wordsPerRow: number, halfRows = false): number {
  if (mode === 'asymmetric' || mode === 'asymmetric-l1') return wordsPerRow * 32;
  return halfRows ? wordsPerRow * 2 : wordsPerRow;
}

/** Whether the kernel reads the per-row auxiliary column (inverse norms or L1 norms). */
export function scanUsesAux(mode: ScanMode): boolean {
  return mode === 'cosine' || mode === 'asymmetric-l1';
}

/** Byte size of the scan kernel's uniform block. */
export const SCAN_PARAMS_BYTES = 48;

const accumulate: Record<ScanMode, (spec: ScanKernelSpec) => string> = {
  hamming: () => `
      for (var u = 0u; u < blockEnd; u = u + 1u) {
        let c = corpus[rowOffset + base + u];
        for (var qi = 0u; qi < QB; qi = qi + 1u) {
          acc[qi] = acc[qi] + countOneBits(c ^ queryTile[qi * BLOCK + u]);
        }
      }`,
  int8: (spec) => `
      for (var u = 0u; u < blockEnd; u = u + 1u) {
        let c = corpus[rowOffset + base + u];
        for (var qi = 0u; qi < QB; qi = qi + 1u) {
          acc[qi] = acc[qi] + ${spec.packedDot ? 'dot4I8Packed' : 'dotI8x4'}(c, queryTile[qi * BLOCK + u]);
        }
      }`,
  float32: (spec) => (spec.halfRows ? halfAccumulate : floatAccumulate),
  cosine: (spec) => (spec.halfRows ? halfAccumulate : floatAccumulate),
  asymmetric: () => asymmetricAccumulate,
  'asymmetric-l1': () => asymmetricAccumulate,
};

const floatAccumulate = `
      for (var u = 0u; u < blockEnd; u = u + 1u) {
        let c = bitcast<f32>(corpus[rowOffset + base + u]);
        for (var qi = 0u; qi < QB; qi = qi + 1u) {
          acc[qi] = acc[qi] + c * bitcast<f32>(queryTile[qi * BLOCK + u]);
        }
      }`;

// base and blockEnd count dims (two per word; BLOCK is even).
const halfAccumulate = `
      let words = (blockEnd + 1u) / 2u;
      for (var w = 0u; w < words; w = w + 1u) {
        let pair = unpack2x16float(corpus[rowOffset + base / 2u + w]);
        for (var qi = 0u; qi < QB; qi = qi + 1u) {
          let at = qi * BLOCK + 2u * w;
          acc[qi] = acc[qi] + pair.x * bitcast<f32>(queryTile[at]) + pair.y * bitcast<f32>(queryTile[at + 1u]);
        }
      }`;

// base counts dims here; the row holds base / 32 words before this block.
const asymmetricAccumulate = `
      let words = blockEnd / 32u;
      for (var w = 0u; w < words; w = w + 1u) {
        let bits = corpus[rowOffset + base / 32u + w];
        for (var j = 0u; j < 32u; j = j + 1u) {
          let bitSet = extractBits(bits, j, 1u) != 0u;
          for (var qi = 0u; qi < QB; qi = qi + 1u) {
            let q = bitcast<f32>(queryTile[qi * BLOCK + w * 32u + j]);
            acc[qi] = acc[qi] + select(-q, q, bitSet);
          }
        }
      }`;

const finalScore: Record<ScanMode, string> = {
  hamming: '-f32(acc[qi])',
  int8: 'f32(acc[qi])',
  float32: 'acc[qi]',
  cosine: 'acc[qi] * aux[localRow]',
  asymmetric: 'acc[qi]',
  'asymmetric-l1': 'acc[qi] * aux[localRow]',
};

const accType: Record<ScanMode, string> = {
  hamming: 'u32',
  int8: 'i32',
  float32: 'f32',
  cosine: 'f32',
  asymmetric: 'f32',
  'asymmetric-l1': 'f32',
};

/** WGSL source of the scan kernel for one mode and row width. */
export function scanKernelWgsl(spec: ScanKernelSpec): string {
  const { mode } = spec;
  const qb = queriesPerWorkgroup(mode);
  const block = queryBlock(mode);
  const aux = scanUsesAux(mode);
  return /* wgsl */ `
${rankSelectWgsl(TILE_ROWS, qb)}

struct Params {
  rowCount: u32,   // rows in this segment
  rowBase: u32,    // corpus index of the segment's first row
  tileBase: u32,   // global tile index of the segment's first tile
  tilesTotal: u32, // tiles over all segments: partial lists per query
  queryCount: u32, // queries in this batch
  listLen: u32,    // hits kept per tile and query
  words: u32,      // u32 words per corpus row
  units: u32,      // query units per query (words, or floats for float queries)
  pad0: u32,
  pad1: u32,
  pad2: u32,
  pad3: u32,
}

const WG: u32 = ${TILE_ROWS}u;
const QB: u32 = ${qb}u;
const BLOCK: u32 = ${block}u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<u32>;
@group(0) @binding(2) var<storage, read> corpus: array<u32>;
@group(0) @binding(3) var<storage, read> skip: array<u32>;
@group(0) @binding(4) var<storage, read_write> lists: array<vec2<u32>>;
${aux ? '@group(0) @binding(5) var<storage, read> aux: array<f32>;' : ''}

var<workgroup> queryTile: array<u32, ${qb * block}>;

fn dotI8x4(a: u32, b: u32) -> i32 {
  let x = bitcast<i32>(a);
  let y = bitcast<i32>(b);
  return extractBits(x, 0u, 8u) * extractBits(y, 0u, 8u)
    + extractBits(x, 8u, 8u) * extractBits(y, 8u, 8u)
    + extractBits(x, 16u, 8u) * extractBits(y, 16u, 8u)
    + extractBits(x, 24u, 8u) * extractBits(y, 24u, 8u);
}

@compute @workgroup_size(${TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let localRow = wid.x * WG + lid;
  let inRange = localRow < params.rowCount;
  let rowOffset = localRow * params.words;
  let UNITS = params.units;
  let firstQuery = wid.y * QB;
  var acc: array<${accType[mode]}, ${qb}>;

  if (lid == 0u) {
    atomicStore(&liveCount, 0u);
  }
  for (var base = 0u; base < UNITS; base = base + BLOCK) {
    for (var i = lid; i < QB * BLOCK; i = i + WG) {
      let q = firstQuery + i / BLOCK;
      let unit = base + i % BLOCK;
      var value = 0u;
      if (q < params.queryCount && unit < UNITS) {
        value = queries[q * UNITS + unit];
      }
      queryTile[i] = value;
    }
    workgroupBarrier();
    if (inRange) {
      let blockEnd = min(BLOCK, UNITS - base);
${accumulate[mode](spec)}
    }
    workgroupBarrier();
  }

  // Every query's scores go to its own lane, so one barrier serves all of them.
  var live = inRange;
  if (inRange) {
    live = ((skip[localRow >> 5u] >> (localRow & 31u)) & 1u) == 0u;
  }
  if (live) {
    atomicAdd(&liveCount, 1u);
    selectRows[lid] = params.rowBase + localRow;
  } else {
    selectRows[lid] = SENTINEL_ROW;
  }
  for (var qi = 0u; qi < QB; qi = qi + 1u) {
    if (live) {
      selectKeys[qi * WG + lid] = ${finalScore[mode]};
    } else {
      selectKeys[qi * WG + lid] = SENTINEL_SCORE;
    }
  }
  workgroupBarrier();
  let liveRows = atomicLoad(&liveCount);
  for (var qi = 0u; qi < QB; qi = qi + 1u) {
    let q = firstQuery + qi;
    if (q >= params.queryCount) {
      break;
    }
    let base = (q * params.tilesTotal + params.tileBase + wid.x) * params.listLen;
    if (live) {
      let rank = rankAmong(qi, lid, WG, params.listLen);
      if (rank < params.listLen) {
        lists[base + rank] = vec2<u32>(selectRows[lid], bitcast<u32>(selectKeys[qi * WG + lid]));
      }
    }
    // Slots past the live rows of a sparse tile hold sentinels.
    if (lid >= liveRows && lid < params.listLen) {
      lists[base + lid] = vec2<u32>(SENTINEL_ROW, bitcast<u32>(SENTINEL_SCORE));
    }
  }
}
`;
}

/**
 * Counting selection for Hamming top-k. Distances are small integers (0 to the row's bit
 * width), so instead of ranking candidates against each other the search counts them:
 *
 * 1. `histogram` (per segment): distances of every live row, counted per query into
 *    `bits + 1` bins. A workgroup covers {@link COUNT_HIST_TILES} tiles and counts into its own
 *    workgroup-memory histogram, then adds each non-zero bin to the global one: random rows pile
 *    onto a few dozen distances, and one global atomic per row and query on those few addresses
 *    serializes the whole GPU. Rows too wide for the workgroup histogram
 *    ({@link COUNT_LOCAL_BINS}) count straight into the global bins.
 * 2. `threshold` (per query): the distance `t` at which the cumulative count reaches k,
 *    the number of rows strictly below it (`less`) and how many rows at `t` to take (`need`).
 * 3. `ties` (per segment): rows at distance `t` per tile (atomic adds into cleared counters).
 * 4. `prefix` (per query): exclusive prefix sum of those tie counts over tiles, so each tile
 *    knows how many tie rows of lower tiles come before its own.
 * 5. `emit` (per segment): rows below `t` take the slots `[0, less)` through an atomic
 *    counter; a row at `t` whose rank among the tie rows (lower rows first) is below `need`
 *    takes slot `less + rank`. Exactly the k hits of core's `searchHamming`, ties by lower row.
 *
 * The k hits of a query come out unordered; the merge kernel (one input list) sorts them.
 * Every row costs a popcount scan three times over and no comparisons between rows; the
 * segment kernels read query words straight from the buffer (the same word for every
 * invocation), so only `emit` has a workgroup barrier.
 *
 * Dispatch: the segment kernels `(tilesInSegment, ceil(queries / COUNT_QUERIES))` (the histogram
 * `ceil(tilesInSegment / COUNT_HIST_TILES)` tiles wide), the query kernels `(queries)`.
 *
 * @module
 */

/** Rows per tile (one per invocation) of the segment kernels; invocations of every kernel. */
export const COUNT_TILE_ROWS = 256;

/** Queries that share one workgroup of a segment kernel (and one read of its tile). */
export const COUNT_QUERIES = 8;

/** Tiles one histogram workgroup counts before adding its workgroup histogram to the global one. */
export const COUNT_HIST_TILES = 4;

/**
 * Bins of the histogram kernel's workgroup histogram (`COUNT_QUERIES x (row bits + 1)` must fit:
 * rows up to 511 bits); 16 KiB, WebGPU's default workgroup-memory limit.
 */
export const COUNT_LOCAL_BINS = 4096;

/** Most histogram bins (row bits + 1) the threshold kernel holds in workgroup memory: rows up to 2047 bits. */
export const MAX_COUNT_BINS = 2048;

/** Byte size of the counting kernels' uniform block. */
export const COUNT_PARAMS_BYTES = 48;

/** u32 words of per-query state the threshold kernel writes: t, less, need, pad. */
export const COUNT_STATE_WORDS = 4;

/** The five counting kernels, in dispatch order. */
export type CountStage = 'histogram' | 'threshold' | 'ties' | 'prefix' | 'emit';

/** Every stage of the counting selection, in dispatch order. */
export const COUNT_STAGES: readonly CountStage[] = ['histogram', 'threshold', 'ties', 'prefix', 'emit'];

/** Histogram bins for rows of `wordsPerRow` words, or 0 when they do not fit a workgroup. */
export function countBins(wordsPerRow: number): number {
  const bins = wordsPerRow * 32 + 1;
  return bins <= MAX_COUNT_BINS ? bins : 0;
}

const common = /* wgsl */ `
struct Params {
  rowCount: u32,   // rows in this segment
  rowBase: u32,    // corpus index of the segment's first row
  tileBase: u32,   // global tile index of the segment's first tile
  tilesTotal: u32, // tiles over all segments
  queryCount: u32, // queries in this batch
  k: u32,          // hits per query (at most the live rows)
  words: u32,      // u32 words per corpus row
  bins: u32,       // histogram bins per query: words * 32 + 1
  pad0: u32,
  pad1: u32,
  pad2: u32,
  pad3: u32,
}

const WG: u32 = ${COUNT_TILE_ROWS}u;
const QB: u32 = ${COUNT_QUERIES}u;
const STATE: u32 = ${COUNT_STATE_WORDS}u;

@group(0) @binding(0) var<uniform> params: Params;
`;

// Distances of one row to the workgroup's queries (query words read straight from the buffer:
// every invocation reads the same word, so no staging and no barrier).
const distances = /* wgsl */ `
@group(0) @binding(1) var<storage, read> queries: array<u32>;
@group(0) @binding(2) var<storage, read> corpus: array<u32>;
@group(0) @binding(3) var<storage, read> skip: array<u32>;

fn tileDistances(localRow: u32, firstQuery: u32) -> array<u32, ${COUNT_QUERIES}> {
  var acc: array<u32, ${COUNT_QUERIES}>;
  if (localRow >= params.rowCount) {
    return acc;
  }
  let rowOffset = localRow * params.words;
  let lastQuery = params.queryCount - 1u;
  for (var u = 0u; u < params.words; u = u + 1u) {
    let c = corpus[rowOffset + u];
    for (var qi = 0u; qi < QB; qi = qi + 1u) {
      let q = min(firstQuery + qi, lastQuery);
      acc[qi] = acc[qi] + countOneBits(c ^ queries[q * params.words + u]);
    }
  }
  return acc;
}

fn isLive(localRow: u32) -> bool {
  if (localRow >= params.rowCount) {
    return false;
  }
  return ((skip[localRow >> 5u] >> (localRow & 31u)) & 1u) == 0u;
}
`;

const stages: Record<CountStage, string> = {
  histogram: /* wgsl */ `
${distances}
@group(0) @binding(4) var<storage, read_write> hist: array<atomic<u32>>;

const HIST_TILES: u32 = ${COUNT_HIST_TILES}u;
const LOCAL_BINS: u32 = ${COUNT_LOCAL_BINS}u;
var<workgroup> localHist: array<atomic<u32>, ${COUNT_LOCAL_BINS}>;

@compute @workgroup_size(${COUNT_TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let firstQuery = wid.y * QB;
  let entries = QB * params.bins;
  // Uniform: every invocation takes the same branch, so the barriers stay in uniform control flow.
  let useLocal = entries <= LOCAL_BINS;
  if (useLocal) {
    for (var i = lid; i < entries; i = i + WG) {
      atomicStore(&localHist[i], 0u);
    }
  }
  workgroupBarrier();
  for (var t = 0u; t < HIST_TILES; t = t + 1u) {
    let localRow = (wid.x * HIST_TILES + t) * WG + lid;
    if (!isLive(localRow)) {
      continue;
    }
    let d = tileDistances(localRow, firstQuery);
    for (var qi = 0u; qi < QB; qi = qi + 1u) {
      let q = firstQuery + qi;
      if (q >= params.queryCount) {
        break;
      }
      if (useLocal) {
        atomicAdd(&localHist[qi * params.bins + d[qi]], 1u);
      } else {
        atomicAdd(&hist[q * params.bins + d[qi]], 1u);
      }
    }
  }
  workgroupBarrier();
  if (useLocal) {
    for (var i = lid; i < entries; i = i + WG) {
      let q = firstQuery + i / params.bins;
      let count = atomicLoad(&localHist[i]);
      if (q < params.queryCount && count != 0u) {
        atomicAdd(&hist[q * params.bins + i % params.bins], count);
      }
    }
  }
}
`,
  threshold: /* wgsl */ `
@group(0) @binding(1) var<storage, read> hist: array<u32>;
@group(0) @binding(2) var<storage, read_write> state: array<u32>;

var<workgroup> counts: array<u32, ${MAX_COUNT_BINS}>;

@compute @workgroup_size(${COUNT_TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let q = wid.x;
  for (var b = lid; b < params.bins; b = b + WG) {
    counts[b] = hist[q * params.bins + b];
  }
  workgroupBarrier();
  if (lid == 0u) {
    var below = 0u;
    var t = params.bins;
    for (var b = 0u; b < params.bins; b = b + 1u) {
      if (below + counts[b] >= params.k) {
        t = b;
        break;
      }
      below = below + counts[b];
    }
    state[q * STATE] = t;
    state[q * STATE + 1u] = below;
    state[q * STATE + 2u] = params.k - below;
  }
}
`,
  ties: /* wgsl */ `
${distances}
@group(0) @binding(4) var<storage, read> state: array<u32>;
@group(0) @binding(5) var<storage, read_write> tieCounts: array<atomic<u32>>;

@compute @workgroup_size(${COUNT_TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let localRow = wid.x * WG + lidv.x;
  if (!isLive(localRow)) {
    return;
  }
  let firstQuery = wid.y * QB;
  let d = tileDistances(localRow, firstQuery);
  let tile = params.tileBase + wid.x;
  for (var qi = 0u; qi < QB; qi = qi + 1u) {
    let q = firstQuery + qi;
    if (q >= params.queryCount) {
      break;
    }
    if (d[qi] == state[q * STATE]) {
      atomicAdd(&tieCounts[q * params.tilesTotal + tile], 1u);
    }
  }
}
`,
  prefix: /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> tieCounts: array<u32>;

var<workgroup> sums: array<u32, ${COUNT_TILE_ROWS}>;

@compute @workgroup_size(${COUNT_TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let n = params.tilesTotal;
  let first = wid.x * n;
  let per = (n + WG - 1u) / WG;
  let start = min(lid * per, n);
  let end = min(start + per, n);
  var sum = 0u;
  for (var i = start; i < end; i = i + 1u) {
    sum = sum + tieCounts[first + i];
  }
  sums[lid] = sum;
  workgroupBarrier();
  if (lid == 0u) {
    var running = 0u;
    for (var i = 0u; i < WG; i = i + 1u) {
      let s = sums[i];
      sums[i] = running;
      running = running + s;
    }
  }
  workgroupBarrier();
  var running = sums[lid];
  for (var i = start; i < end; i = i + 1u) {
    let c = tieCounts[first + i];
    tieCounts[first + i] = running;
    running = running + c;
  }
}
`,
  emit: /* wgsl */ `
${distances}
@group(0) @binding(4) var<storage, read> state: array<u32>;
@group(0) @binding(5) var<storage, read> tiePrefix: array<u32>;
@group(0) @binding(6) var<storage, read_write> hits: array<vec2<u32>>;
@group(0) @binding(7) var<storage, read_write> hitCount: array<atomic<u32>>;

const MASK_WORDS: u32 = ${COUNT_TILE_ROWS / 32}u;
var<workgroup> tieMask: array<atomic<u32>, ${COUNT_QUERIES * (COUNT_TILE_ROWS / 32)}>;

@compute @workgroup_size(${COUNT_TILE_ROWS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let localRow = wid.x * WG + lid;
  let firstQuery = wid.y * QB;
  for (var i = lid; i < QB * MASK_WORDS; i = i + WG) {
    atomicStore(&tieMask[i], 0u);
  }
  workgroupBarrier();
  let live = isLive(localRow);
  let d = tileDistances(localRow, firstQuery);
  if (live) {
    for (var qi = 0u; qi < QB; qi = qi + 1u) {
      let q = firstQuery + qi;
      if (q < params.queryCount && d[qi] == state[q * STATE]) {
        atomicOr(&tieMask[qi * MASK_WORDS + lid / 32u], 1u << (lid % 32u));
      }
    }
  }
  workgroupBarrier();
  if (!live) {
    return;
  }
  let hitRow = params.rowBase + localRow;
  for (var qi = 0u; qi < QB; qi = qi + 1u) {
    let q = firstQuery + qi;
    if (q >= params.queryCount) {
      break;
    }
    let t = state[q * STATE];
    let below = state[q * STATE + 1u];
    let need = state[q * STATE + 2u];
    let dist = d[qi];
    let hit = vec2<u32>(hitRow, bitcast<u32>(-f32(dist)));
    if (dist < t) {
      let slot = atomicAdd(&hitCount[q], 1u);
      if (slot < below) {
        hits[q * params.k + slot] = hit;
      }
    } else if (dist == t) {
      // Rank among the tie rows: those of lower tiles, then lower lanes of this tile.
      var rank = tiePrefix[q * params.tilesTotal + params.tileBase + wid.x];
      let word = lid / 32u;
      for (var w = 0u; w < word; w = w + 1u) {
        rank = rank + countOneBits(atomicLoad(&tieMask[qi * MASK_WORDS + w]));
      }
      let lower = (1u << (lid % 32u)) - 1u;
      rank = rank + countOneBits(atomicLoad(&tieMask[qi * MASK_WORDS + word]) & lower);
      if (rank < need) {
        hits[q * params.k + below + rank] = hit;
      }
    }
  }
}
`,
};

/** WGSL source of one counting kernel (row widths and k are uniforms). */
export function countKernelWgsl(stage: CountStage): string {
  return common + stages[stage];
}

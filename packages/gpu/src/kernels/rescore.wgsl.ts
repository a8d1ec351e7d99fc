/**
 * The rescore kernel of two-stage search: recomputes each candidate's score on the float dot
 * scale, from float32 rows or from int8 rows dequantized on the fly. For int8 the host folds
 * the calibration into the query: `score = bias + sum_j weight_j * code_j` with
 * `weight_j = q_j * scale_j` and `bias = sum_j q_j * offset_j`, where `value = offset + scale * code`.
 *
 * One workgroup per query; dispatched once per corpus segment, each pass scoring only the
 * candidates whose row lives in that segment (the first pass also clears the rest).
 *
 * @module
 */

/** Invocations per rescore workgroup. */
export const RESCORE_THREADS = 256;

/** Byte size of the rescore kernel's uniform block. */
export const RESCORE_PARAMS_BYTES = 32;

/** Row storage the rescore kernel reads. */
export type RescoreSource = 'float32' | 'int8';

/** Floats per query in the rescore query buffer: weights padded to the row, then the bias. */
export function rescoreQueryStride(source: RescoreSource, wordsPerRow: number): number {
  return source === 'float32' ? wordsPerRow : wordsPerRow * 4 + 4;
}

/** WGSL source of the rescore kernel for one row source (row widths are uniforms). */
export function rescoreKernelWgsl(source: RescoreSource): string {
  const body =
    source === 'float32'
      ? `
    for (var w = 0u; w < WORDS; w = w + 1u) {
      acc = acc + bitcast<f32>(corpus[rowOffset + w]) * queries[queryOffset + w];
    }`
      : `
    acc = queries[queryOffset + WORDS * 4u];
    for (var w = 0u; w < WORDS; w = w + 1u) {
      let packed = bitcast<i32>(corpus[rowOffset + w]);
      let weights = queryOffset + w * 4u;
      acc = acc + queries[weights] * f32(extractBits(packed, 0u, 8u))
        + queries[weights + 1u] * f32(extractBits(packed, 8u, 8u))
        + queries[weights + 2u] * f32(extractBits(packed, 16u, 8u))
        + queries[weights + 3u] * f32(extractBits(packed, 24u, 8u));
    }`;
  return /* wgsl */ `
const SENTINEL_ROW: u32 = 0xffffffffu;
const SENTINEL_SCORE: f32 = -3.40282346e38;

struct Params {
  rowCount: u32,   // rows in this segment
  rowBase: u32,    // corpus index of the segment's first row
  candidates: u32, // candidates per query
  queryCount: u32,
  clearOthers: u32, // 1 on the first segment pass: write sentinels for rows of other segments
  words: u32,      // u32 words per corpus row
  stride: u32,     // floats per query in the query buffer
  pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> queries: array<f32>;
@group(0) @binding(2) var<storage, read> corpus: array<u32>;
@group(0) @binding(3) var<storage, read> candidates: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read_write> rescored: array<vec2<u32>>;

@compute @workgroup_size(${RESCORE_THREADS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let q = wid.x;
  if (q >= params.queryCount) {
    return;
  }
  let queryOffset = q * params.stride;
  let WORDS = params.words;
  for (var c = lidv.x; c < params.candidates; c = c + ${RESCORE_THREADS}u) {
    let slot = q * params.candidates + c;
    let row = candidates[slot].x;
    let inSegment = row != SENTINEL_ROW && row >= params.rowBase && row - params.rowBase < params.rowCount;
    if (!inSegment) {
      if (params.clearOthers == 1u) {
        rescored[slot] = vec2<u32>(SENTINEL_ROW, bitcast<u32>(SENTINEL_SCORE));
      }
      continue;
    }
    let rowOffset = (row - params.rowBase) * WORDS;
    var acc = 0.0;
${body}
    rescored[slot] = vec2<u32>(row, bitcast<u32>(acc));
  }
}
`;
}

/**
 * The merge kernel: folds sorted top-k lists into fewer, longer-reaching lists. A workgroup
 * loads `groupLists` input lists of one query (each padded to `slot` entries, a power of two)
 * into {@link MERGE_SIZE} workgroup slots, sorts them and keeps the best `outLen`.
 * Repeated until one list per query remains; also used to order the rescored candidates of a
 * two-stage search (a single input list).
 *
 * Dispatch: `(ceil(lists / groupLists), queries)`.
 *
 * @module
 */
import { bitonicSortWgsl, rankWgsl } from './sort.wgsl.js';

/** Entries a merge workgroup sorts at once. */
export const MERGE_SIZE = 1024;

/** Invocations per merge workgroup. */
export const MERGE_THREADS = 256;

/** Longest list the merge can carry: two lists must fit one workgroup. */
export const MAX_LIST_LEN = MERGE_SIZE / 2;

/** Byte size of the merge kernel's uniform block. */
export const MERGE_PARAMS_BYTES = 32;

/** WGSL source of the merge kernel. */
export function mergeKernelWgsl(): string {
  return /* wgsl */ `
${rankWgsl}
${bitonicSortWgsl(MERGE_SIZE, MERGE_THREADS)}

struct Params {
  inLen: u32,      // entries per input list
  lists: u32,      // input lists per query
  groupLists: u32, // input lists per workgroup
  slot: u32,       // workgroup slots per input list (power of two >= inLen)
  outLen: u32,     // entries per output list
  queryCount: u32,
  sortSize: u32,   // always MERGE_SIZE; a uniform so the sort is not unrolled
  pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> inLists: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> outLists: array<vec2<u32>>;

@compute @workgroup_size(${MERGE_THREADS})
fn main(@builtin(local_invocation_id) lidv: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lid = lidv.x;
  let q = wid.y;
  let firstList = wid.x * params.groupLists;
  for (var i = lid; i < params.sortSize; i = i + ${MERGE_THREADS}u) {
    let list = firstList + i / params.slot;
    let entry = i % params.slot;
    var hit = vec2<u32>(SENTINEL_ROW, bitcast<u32>(SENTINEL_SCORE));
    if (i / params.slot < params.groupLists && list < params.lists && entry < params.inLen) {
      hit = inLists[(q * params.lists + list) * params.inLen + entry];
    }
    sortRows[i] = hit.x;
    sortKeys[i] = bitcast<f32>(hit.y);
  }
  workgroupBarrier();
  bitonicSort(lid, params.sortSize);
  let outCount = (params.lists + params.groupLists - 1u) / params.groupLists;
  for (var i = lid; i < params.outLen; i = i + ${MERGE_THREADS}u) {
    outLists[(q * outCount + wid.x) * params.outLen + i] = vec2<u32>(sortRows[i], bitcast<u32>(sortKeys[i]));
  }
}
`;
}

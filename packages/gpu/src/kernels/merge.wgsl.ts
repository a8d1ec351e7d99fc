/**
 * The merge kernel: folds sorted top-k lists into fewer, longer-reaching lists. A workgroup
 * loads `groupLists` input lists of one query (each padded to `slot` entries, a power of two)
 * into {@link MERGE_SIZE} workgroup slots and keeps the best `outLen`, by rank selection.
 * Repeated until one list per query remains; also used to order the rescored candidates of a
 * two-stage search (a single input list).
 *
 * Dispatch: `(ceil(lists / groupLists), queries)`.
 *
 * @module
 */
import { rankSelectWgsl } from './sort.wgsl.js';

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
${rankSelectWgsl(MERGE_SIZE)}

struct Params {
  inLen: u32,      // entries per input list
  lists: u32,      // input lists per query
  groupLists: u32, // input lists per workgroup
  slot: u32,       // workgroup slots per input list (power of two >= inLen)
  outLen: u32,     // entries per output list
  queryCount: u32,
  entries: u32,    // always MERGE_SIZE
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
  if (lid == 0u) {
    atomicStore(&liveCount, 0u);
  }
  workgroupBarrier();
  for (var i = lid; i < params.entries; i = i + ${MERGE_THREADS}u) {
    let list = firstList + i / params.slot;
    let entry = i % params.slot;
    var hit = vec2<u32>(SENTINEL_ROW, bitcast<u32>(SENTINEL_SCORE));
    if (i / params.slot < params.groupLists && list < params.lists && entry < params.inLen) {
      hit = inLists[(q * params.lists + list) * params.inLen + entry];
    }
    selectRows[i] = hit.x;
    selectKeys[i] = bitcast<f32>(hit.y);
    if (hit.x != SENTINEL_ROW) {
      atomicAdd(&liveCount, 1u);
    }
  }
  workgroupBarrier();
  let liveHits = atomicLoad(&liveCount);
  let outCount = (params.lists + params.groupLists - 1u) / params.groupLists;
  let base = (q * outCount + wid.x) * params.outLen;
  for (var i = lid; i < params.entries; i = i + ${MERGE_THREADS}u) {
    if (selectRows[i] != SENTINEL_ROW) {
      let rank = rankAmong(0u, i, params.entries, params.outLen);
      if (rank < params.outLen) {
        outLists[base + rank] = vec2<u32>(selectRows[i], bitcast<u32>(selectKeys[i]));
      }
    }
  }
  for (var i = liveHits + lid; i < params.outLen; i = i + ${MERGE_THREADS}u) {
    outLists[base + i] = vec2<u32>(SENTINEL_ROW, bitcast<u32>(SENTINEL_SCORE));
  }
}
`;
}

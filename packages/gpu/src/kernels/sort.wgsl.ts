/**
 * WGSL shared by the selection kernels: the ranking rule and rank selection of `(score, row)`
 * pairs held in workgroup memory.
 *
 * Ranking, identical to the CPU path: higher score first, equal scores by lower row. Empty slots
 * hold {@link SENTINEL_ROW} with the lowest finite score, so they rank after every real hit.
 *
 * Selection is by rank counting rather than a sorting network: every live entry counts the
 * entries that rank before it (stopping once it reaches the list length) and, when its rank is
 * below the list length, writes itself straight to that output slot. Distinct rows give a strict
 * total order, so ranks are unique and the output comes out sorted. It needs two barriers per
 * selection where a bitonic sort of 256 entries needs 36, which matters on real GPUs and a lot
 * on software adapters, where every barrier switches fibers.
 *
 * @module
 */

/** Row index marking an empty slot in a top-k list. */
export const SENTINEL_ROW = 0xffffffff;

/** Score stored with {@link SENTINEL_ROW}: the lowest finite float32. */
export const SENTINEL_SCORE = -3.4028234663852886e38;

/**
 * WGSL declaring the ranking rule, `selectRows` (a workgroup array of `size` rows),
 * `selectKeys` (`lanes` arrays of `size` scores, one lane per query sharing the rows), the
 * `liveCount` workgroup counter, and `rankAmong(lane, i, n, limit)`: how many of the first `n`
 * entries of a lane rank before entry `i`, counting no further than `limit`.
 */
export function rankSelectWgsl(size: number, lanes = 1): string {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`selection size must be a positive integer, got ${size}`);
  return /* wgsl */ `
const SENTINEL_ROW: u32 = 0xffffffffu;
const SENTINEL_SCORE: f32 = -3.40282346e38;

var<workgroup> selectKeys: array<f32, ${size * lanes}>;
var<workgroup> selectRows: array<u32, ${size}>;
var<workgroup> liveCount: atomic<u32>;

// True when hit (ka, ra) ranks strictly before hit (kb, rb).
fn ranksBefore(ka: f32, ra: u32, kb: f32, rb: u32) -> bool {
  return ka > kb || (ka == kb && ra < rb);
}

fn rankAmong(lane: u32, i: u32, n: u32, limit: u32) -> u32 {
  let offset = lane * ${size}u;
  let key = selectKeys[offset + i];
  let row = selectRows[i];
  var rank = 0u;
  for (var j = 0u; j < n; j = j + 1u) {
    if (ranksBefore(selectKeys[offset + j], selectRows[j], key, row)) {
      rank = rank + 1u;
      if (rank >= limit) {
        break;
      }
    }
  }
  return rank;
}
`;
}

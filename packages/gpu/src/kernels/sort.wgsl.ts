/**
 * WGSL shared by the selection kernels: the ranking rule and an in-place bitonic sort of
 * `(score, row)` pairs held in workgroup memory.
 *
 * Ranking, identical to the CPU path: higher score first, equal scores by lower row. Empty slots
 * hold {@link SENTINEL_ROW} with the lowest finite score, so they sort after every real hit.
 *
 * @module
 */

/** Row index marking an empty slot in a top-k list. */
export const SENTINEL_ROW = 0xffffffff;

/** Score stored with {@link SENTINEL_ROW}: the lowest finite float32. */
export const SENTINEL_SCORE = -3.4028234663852886e38;

/** The WGSL ranking function shared by every kernel that orders hits. */
export const rankWgsl = /* wgsl */ `
const SENTINEL_ROW: u32 = 0xffffffffu;
const SENTINEL_SCORE: f32 = -3.40282346e38;

// True when hit (ka, ra) ranks strictly before hit (kb, rb).
fn ranksBefore(ka: f32, ra: u32, kb: f32, rb: u32) -> bool {
  return ka > kb || (ka == kb && ra < rb);
}
`;

/**
 * WGSL declaring `sortKeys`/`sortRows` (workgroup arrays of `size` entries) and
 * `bitonicSort(lid, n)`, which every invocation of a `threads`-wide workgroup must call with
 * the same `n` (it contains barriers). `n` must equal `size`; it is passed at run time (from a
 * uniform) so shader compilers do not unroll the sorting network, which made SwiftShader spend
 * seconds compiling each pipeline. After it, entry 0 is the best hit.
 */
export function bitonicSortWgsl(size: number, threads: number): string {
  if (size & (size - 1) || size < 2) throw new Error(`bitonic size must be a power of two, got ${size}`);
  return /* wgsl */ `
var<workgroup> sortKeys: array<f32, ${size}>;
var<workgroup> sortRows: array<u32, ${size}>;

fn bitonicSort(lid: u32, n: u32) {
  for (var span = 2u; span <= n; span = span << 1u) {
    for (var stride = span >> 1u; stride > 0u; stride = stride >> 1u) {
      for (var pair = lid; pair < n / 2u; pair = pair + ${threads}u) {
        let i = 2u * stride * (pair / stride) + (pair % stride);
        let j = i + stride;
        let ki = sortKeys[i];
        let kj = sortKeys[j];
        let ri = sortRows[i];
        let rj = sortRows[j];
        // Blocks with (i & span) == 0 end best-first, the others worst-first.
        let bestFirst = (i & span) == 0u;
        let swap = select(ranksBefore(ki, ri, kj, rj), ranksBefore(kj, rj, ki, ri), bestFirst);
        if (swap) {
          sortKeys[i] = kj;
          sortKeys[j] = ki;
          sortRows[i] = rj;
          sortRows[j] = ri;
        }
      }
      workgroupBarrier();
    }
  }
}
`;
}

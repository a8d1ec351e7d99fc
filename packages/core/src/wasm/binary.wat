;; Search over packed sign bits with WebAssembly SIMD: Hamming distance and the asymmetric score
;; of a float query, each selecting its top-k in the module (the heap of topk-heap.wati).
;; Hand-written; assembled into binary-wasm.ts by `node packages/core/scripts/build-wasm.mjs`.
;;
;; Two layouts of packed rows (nBytes = 4 * wordsPerRow bytes a row):
;; - rows: row after row, as BinaryMatrix.words.
;; - blocks: 16 rows at a time; byte position B of the 16 rows is the 16-byte vector at
;;   block + 16 * B, lane i holding row i of the block. toBlocks converts rows into blocks.
;;
;; hammingRows(q, c, nRows, wpr, row0, skip, h): distances of nRows row-layout rows at c to the
;;   packed query at q (i8x16.popcnt); row r is offered to heap h as key -distance, row number
;;   row0 + r, unless skip is not 0 and the byte at skip + r is not 0.
;; hammingBlocks(qs, c, nRows, nBytes, row0, skip, tmp, h): the same over block-layout rows; qs
;;   holds the query byte of each position repeated 16 times (nBytes vectors); tmp is 32 bytes.
;; asymBlocks, asymFlush, asymPrepare, l1Ranges: the asymmetric score (see below).
;; toBlocks(src, dst, nBlocks, nBytes): row layout (16 * nBlocks rows) into block layout.
(module
  (memory (export "memory") 1)

;; #include topk-heap.wati

  ;; The distance a row must stay under to enter heap h: its worst kept distance once full.
  (func $hammingLimit (param $h i32) (result i32)
    (if (result i32) (i32.lt_u (i32.load (local.get $h)) (i32.load offset=4 (local.get $h)))
      (then (i32.const 0x7fffffff))
      (else (i32.trunc_f32_s (f32.neg (f32.load offset=8 (local.get $h)))))))

  (func (export "hammingRows")
    (param $q i32) (param $c i32) (param $nRows i32) (param $wpr i32) (param $row0 i32) (param $skip i32)
    (param $h i32)
    (local $r i32) (local $d i32) (local $lim i32) (local $qp i32) (local $left i32) (local $n i32)
    (local $acc v128) (local $sum v128)
    (local.set $lim (call $hammingLimit (local.get $h)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $qp (local.get $q))
        (local.set $left (i32.shr_u (local.get $wpr) (i32.const 2)))
        (local.set $sum (v128.const i64x2 0 0))
        ;; 16 bytes at a time; byte lanes count at most 8 bits a chunk, so widen every 31 chunks.
        (block $chunksDone
          (loop $groups
            (br_if $chunksDone (i32.eqz (local.get $left)))
            (local.set $n
              (select (local.get $left) (i32.const 31) (i32.lt_u (local.get $left) (i32.const 31))))
            (local.set $left (i32.sub (local.get $left) (local.get $n)))
            (local.set $acc (v128.const i64x2 0 0))
            (loop $chunk
              (local.set $acc
                (i8x16.add (local.get $acc)
                  (i8x16.popcnt (v128.xor (v128.load (local.get $qp)) (v128.load (local.get $c))))))
              (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br_if $chunk (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.set $sum
              (i32x4.add (local.get $sum)
                (i32x4.dot_i16x8_s (i16x8.extadd_pairwise_i8x16_u (local.get $acc))
                  (v128.const i16x8 1 1 1 1 1 1 1 1))))
            (br $groups)))
        (local.set $sum
          (i32x4.add (local.get $sum)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum))))
        (local.set $d (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 1 (local.get $sum))))
        ;; The wpr % 4 trailing words.
        (local.set $n (i32.and (local.get $wpr) (i32.const 3)))
        (block $wordsDone
          (loop $words
            (br_if $wordsDone (i32.eqz (local.get $n)))
            (local.set $d
              (i32.add (local.get $d) (i32.popcnt (i32.xor (i32.load (local.get $qp)) (i32.load (local.get $c))))))
            (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $words)))
        (if (i32.lt_s (local.get $d) (local.get $lim))
          (then
            (if (i32.or (i32.eqz (local.get $skip))
                  (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $r)))))
              (then
                (call $heapOffer (local.get $h)
                  (f32.convert_i32_s (i32.sub (i32.const 0) (local.get $d)))
                  (i32.add (local.get $row0) (local.get $r)))
                (local.set $lim (call $hammingLimit (local.get $h)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  (func (export "hammingBlocks")
    (param $qs i32) (param $c i32) (param $nRows i32) (param $nBytes i32) (param $row0 i32) (param $skip i32)
    (param $tmp i32) (param $h i32)
    (local $r i32) (local $lim i32) (local $qp i32) (local $left i32) (local $n i32) (local $lane i32)
    (local $d i32) (local $acc v128) (local $lo v128) (local $hi v128) (local $limits v128)
    (local.set $lim (call $hammingLimit (local.get $h)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $qp (local.get $qs))
        (local.set $left (local.get $nBytes))
        (local.set $lo (v128.const i64x2 0 0))
        (local.set $hi (v128.const i64x2 0 0))
        (block $positionsDone
          (loop $groups
            (br_if $positionsDone (i32.eqz (local.get $left)))
            (local.set $n
              (select (local.get $left) (i32.const 31) (i32.lt_u (local.get $left) (i32.const 31))))
            (local.set $left (i32.sub (local.get $left) (local.get $n)))
            (local.set $acc (v128.const i64x2 0 0))
            (loop $position
              (local.set $acc
                (i8x16.add (local.get $acc)
                  (i8x16.popcnt (v128.xor (v128.load (local.get $qp)) (v128.load (local.get $c))))))
              (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
              (local.set $c (i32.add (local.get $c) (i32.const 16)))
              (br_if $position (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $acc))))
            (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_high_i8x16_u (local.get $acc))))
            (br $groups)))
        ;; Distances fit i16 (the caller keeps nBytes below 4096).
        (local.set $limits
          (i16x8.splat (select (local.get $lim) (i32.const 32767) (i32.lt_s (local.get $lim) (i32.const 32767)))))
        (if (v128.any_true
              (v128.or (i16x8.lt_s (local.get $lo) (local.get $limits)) (i16x8.lt_s (local.get $hi) (local.get $limits))))
          (then
            (v128.store (local.get $tmp) (local.get $lo))
            (v128.store offset=16 (local.get $tmp) (local.get $hi))
            (local.set $lane (i32.const 0))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone
                  (i32.or (i32.eq (local.get $lane) (i32.const 16))
                    (i32.ge_u (i32.add (local.get $r) (local.get $lane)) (local.get $nRows))))
                (local.set $d (i32.load16_u (i32.add (local.get $tmp) (i32.shl (local.get $lane) (i32.const 1)))))
                (if (i32.lt_s (local.get $d) (local.get $lim))
                  (then
                    (if (i32.or (i32.eqz (local.get $skip))
                          (i32.eqz
                            (i32.load8_u (i32.add (local.get $skip) (i32.add (local.get $r) (local.get $lane))))))
                      (then
                        (call $heapOffer (local.get $h)
                          (f32.convert_i32_s (i32.sub (i32.const 0) (local.get $d)))
                          (i32.add (local.get $row0) (i32.add (local.get $r) (local.get $lane))))
                        (local.set $lim (call $hammingLimit (local.get $h)))))))
                (local.set $lane (i32.add (local.get $lane) (i32.const 1)))
                (br $lanes)))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (br $blocks))))

  ;; ---- Asymmetric score ----
  ;;
  ;; The score of a float query q against a row with bits b is s = sum_i (b_i ? q_i : -q_i),
  ;; divided by the row's L1 norm with the correction (a row whose norm is not > 0 scores 0). A
  ;; row's key is exactly what the JavaScript kernel computes: per byte value v at position B the
  ;; f64 partial P = -(w0 + .. + w7) + 2 w_i for each set bit i, highest first, rounded to f32
  ;; (buildAsymmetricTable); s = the f64 sum over words of ((P0 + P1) + P2) + P3; times the f64
  ;; 1 / norm; rounded to f32.
  ;;
  ;; Scanning computes bounds, not keys. Codes (two 16-byte tables a byte position, low nibble
  ;; then high nibble, values 0..255) are looked up 16 rows at a time with i8x16.swizzle; the two
  ;; codes of a byte are averaged, rounded up (i8x16.avgr_u, so a byte stays one u8 lane), and a
  ;; row's sum S of these averages bounds its raw score: step * S + low <= s <= step * S + bias
  ;; (the caller folds the codes' rounding errors and the averages' rounding into step, bias and
  ;; low). Divided by the norm, these bound the key. A lower
  ;; bound heap keeps the k-th best lower bound L: a row whose upper bound is not above it (or
  ;; the exact heap's k-th key) cannot enter the top-k and is dropped; the others wait in a
  ;; buffer with their upper bound. asymFlush scores exactly those still at or above L (and
  ;; above the exact k-th key) and offers them to the exact heap, so the result equals scoring
  ;; every row. Whole 16-row blocks are dropped in u16 arithmetic when no S can reach the integer
  ;; the current limit implies for the block's smallest (or, below 0, largest) norm; in a block
  ;; that is not, only the rows whose S can reach it are looked at. asymFlush scores the buffered
  ;; rows best upper bound first and stops at the first that cannot beat the k-th key.
  ;;
  ;; Context (ctx, 72 bytes): 0 f32 step, 4 f32 bias, 8 f32 low, 12 i32 all (1: score every row
  ;; exactly; bounds unusable), 16 lower heap, 20 exact heap, 24 buffer of (i32 row, f32 upper),
  ;; 28 its capacity, 32 its count, 36 partial tables (asymPrepare), 40 the rows (global row 0) in
  ;; row layout (lane stride nBytes, position stride 1) or block layout (1, 16), 44 lane stride,
  ;; 48 position stride, 52 f32 norms of all rows (0 without the correction; rows rounded up to
  ;; 16, zero padded), 56 their block ranges (l1Ranges), 60 nBytes, 64 skip mask of all rows or 0.

  ;; The limit a row's upper bound must beat while scanning: max(k-th lower bound, k-th key).
  (func $asymLimit (param $ctx i32) (result f32)
    (f32.max
      (f32.load offset=8 (i32.load offset=16 (local.get $ctx)))
      (f32.load offset=8 (i32.load offset=20 (local.get $ctx)))))

  ;; Where the block test reads a block's norm for a given limit: its block range at this plus
  ;; row0 / 2 (the smallest norm for a limit >= 0, else the largest), or 0 without norms.
  (func $rangesFor (param $ctx i32) (param $limit f32) (result i32)
    (select
      (i32.add (i32.load offset=56 (local.get $ctx))
        (select (i32.const 0) (i32.const 4) (f32.ge (local.get $limit) (f32.const 0))))
      (i32.const 0)
      (i32.load offset=52 (local.get $ctx))))

  ;; asymBlocks(ctx, tabs, c, nRows, row0, tmp): rows row0 .. row0 + nRows - 1, in block layout
  ;; at c (not necessarily ctx's copy); tmp is 192 bytes. The hot loops stay small: rows of a block
  ;; that passes the test go to $passBlock (two-block loop) or $blockRows (general loop).
  (func (export "asymBlocks")
    (param $ctx i32) (param $tabs i32) (param $c i32) (param $nRows i32) (param $row0 i32) (param $tmp i32)
    (local $r i32) (local $tp i32) (local $left i32) (local $n i32) (local $p i32) (local $nBytes i32)
    (local $pass i32) (local $norm f32) (local $limit f32)
    (local $x v128) (local $v v128) (local $even v128) (local $odd v128)
    (local $q i32) (local $mask i32) (local $stride i32) (local $ranges i32) (local $step f32) (local $bias f32) (local $t f32)
    (local $lo v128) (local $hi v128) (local $even2 v128) (local $odd2 v128)
    (local $half i32) (local $boff i32) (local $scaled f32) (local $offset f32) (local $t2 f32) (local $x2 v128)
    (local.set $nBytes (i32.load offset=60 (local.get $ctx)))
    ;; Rows up to 1024 bits with bounds in use: two blocks at a time (each table vector loaded
    ;; once for both), block i with block i + half of the call's blocks, so that each of the two
    ;; streams of loads walks contiguous memory (the hardware prefetchers keep up, as with one
    ;; stream); one test for both blocks with the limit kept in locals (it changes only in
    ;; $passBlock). Rows are not looked at in order, which the bounds allow: a row is buffered
    ;; when its upper bound is not below the limit, and the flush and the exact heap settle
    ;; ties by row. The block left over, if any, goes through the general loop.
    (if (i32.and (i32.eqz (i32.load offset=12 (local.get $ctx))) (i32.le_u (local.get $nBytes) (i32.const 128)))
      (then
        (local.set $step (f32.load (local.get $ctx)))
        (local.set $bias (f32.load offset=4 (local.get $ctx)))
        (local.set $limit (call $asymLimit (local.get $ctx)))
        (local.set $scaled (f32.div (local.get $limit) (local.get $step)))
        (local.set $offset (f32.div (local.get $bias) (local.get $step)))
        (local.set $ranges (call $rangesFor (local.get $ctx) (local.get $limit)))
        (local.set $stride (i32.shl (local.get $nBytes) (i32.const 4)))
        (local.set $half (i32.shl (i32.shr_u (i32.add (local.get $nRows) (i32.const 15)) (i32.const 5)) (i32.const 4)))
        (local.set $boff (i32.mul (i32.shr_u (local.get $half) (i32.const 4)) (local.get $stride)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (local.get $r) (local.get $half)))
            (local.set $tp (local.get $tabs))
            (local.set $p (local.get $c))
            (local.set $q (i32.add (local.get $p) (local.get $boff)))
            (local.set $n (local.get $nBytes))
            (local.set $even (v128.const i64x2 0 0))
            (local.set $odd (v128.const i64x2 0 0))
            (local.set $even2 (v128.const i64x2 0 0))
            (local.set $odd2 (v128.const i64x2 0 0))
            ;; Two byte positions an iteration (nBytes is a multiple of 4).
            (loop $position
              (local.set $lo (v128.load offset=0 (local.get $tp)))
              (local.set $hi (v128.load offset=16 (local.get $tp)))
              (local.set $x (v128.load offset=0 (local.get $p)))
              (local.set $v
                (i8x16.avgr_u
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                  (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
              (local.set $even (i16x8.add (local.get $even) (local.get $v)))
              (local.set $odd (i16x8.add (local.get $odd) (i16x8.shr_u (local.get $v) (i32.const 8))))
              (local.set $x (v128.load offset=0 (local.get $q)))
              (local.set $v
                (i8x16.avgr_u
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                  (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
              (local.set $even2 (i16x8.add (local.get $even2) (local.get $v)))
              (local.set $odd2 (i16x8.add (local.get $odd2) (i16x8.shr_u (local.get $v) (i32.const 8))))
              (local.set $lo (v128.load offset=32 (local.get $tp)))
              (local.set $hi (v128.load offset=48 (local.get $tp)))
              (local.set $x (v128.load offset=16 (local.get $p)))
              (local.set $v
                (i8x16.avgr_u
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                  (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
              (local.set $even (i16x8.add (local.get $even) (local.get $v)))
              (local.set $odd (i16x8.add (local.get $odd) (i16x8.shr_u (local.get $v) (i32.const 8))))
              (local.set $x (v128.load offset=16 (local.get $q)))
              (local.set $v
                (i8x16.avgr_u
                  (i8x16.swizzle (local.get $lo) (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                  (i8x16.swizzle (local.get $hi) (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
              (local.set $even2 (i16x8.add (local.get $even2) (local.get $v)))
              (local.set $odd2 (i16x8.add (local.get $odd2) (i16x8.shr_u (local.get $v) (i32.const 8))))
              (local.set $tp (i32.add (local.get $tp) (i32.const 64)))
              (local.set $p (i32.add (local.get $p) (i32.const 32)))
              (local.set $q (i32.add (local.get $q) (i32.const 32)))
              (br_if $position (local.tee $n (i32.sub (local.get $n) (i32.const 2)))))
            (local.set $even (i16x8.sub (local.get $even) (i16x8.shl (local.get $odd) (i32.const 8))))
            (local.set $even2 (i16x8.sub (local.get $even2) (i16x8.shl (local.get $odd2) (i32.const 8))))
            ;; The block test, both blocks at once: a row can beat the limit only if its sum
            ;; exceeds t = (limit * norm - bias) / step, computed as norm * (limit / step) -
            ;; bias / step, with the block's smallest norm for a limit >= 0, else its largest
            ;; (one code of slack covers the float rounding). t below 1 or not a number: every
            ;; row is looked at; t of 65536 or more: none.
            (local.set $norm (f32.const 1))
            ;; Touch the block's 16 norms (one cache line) so that a row looked at finds its
            ;; norm in cache: read in step with the blocks, they stream like the rows.
            (if (local.get $ranges)
              (then
                (drop (f32.load (i32.add (i32.load offset=52 (local.get $ctx)) (i32.shl (i32.add (local.get $row0) (local.get $r)) (i32.const 2)))))
                (local.set $norm (f32.load (i32.add (local.get $ranges) (i32.shr_u (i32.add (local.get $row0) (local.get $r)) (i32.const 1)))))))
            (local.set $t (f32.sub (f32.mul (local.get $norm) (local.get $scaled)) (local.get $offset)))
            (local.set $x
              (i16x8.splat (i32.sub (i32.trunc_sat_f32_u (f32.min (local.get $t) (f32.const 65536))) (i32.const 1))))
            (local.set $norm (f32.const 1))
            (if (local.get $ranges)
              (then
                (drop (f32.load (i32.add (i32.load offset=52 (local.get $ctx)) (i32.shl (i32.add (local.get $row0) (i32.add (local.get $r) (local.get $half))) (i32.const 2)))))
                (local.set $norm (f32.load (i32.add (local.get $ranges) (i32.shr_u (i32.add (local.get $row0) (i32.add (local.get $r) (local.get $half))) (i32.const 1)))))))
            (local.set $t2 (f32.sub (f32.mul (local.get $norm) (local.get $scaled)) (local.get $offset)))
            (local.set $x2
              (i16x8.splat (i32.sub (i32.trunc_sat_f32_u (f32.min (local.get $t2) (f32.const 65536))) (i32.const 1))))
            (if (i32.or (i32.or (i32.eqz (f32.ge (local.get $t) (f32.const 1))) (i32.eqz (f32.ge (local.get $t2) (f32.const 1))))
                  (v128.any_true
                    (v128.or (v128.or (i16x8.sub_sat_u (local.get $even) (local.get $x)) (i16x8.sub_sat_u (local.get $odd) (local.get $x)))
                  (v128.or (i16x8.sub_sat_u (local.get $even2) (local.get $x2)) (i16x8.sub_sat_u (local.get $odd2) (local.get $x2))))))
              (then
                ;; mask: the rows (bit j: row 2j, or 2(j - 8) + 1 from bit 8) whose sum can beat
                ;; the limit. A mask from before an earlier block's rows were looked at only
                ;; looks at more rows than needed ($passBlock checks each against the limit).
                (local.set $mask (i32.const 0xffff))
                (if (f32.ge (local.get $t) (f32.const 1))
                  (then
                    (local.set $mask
                      (i8x16.bitmask
                        (i8x16.narrow_i16x8_s
                          (i16x8.ne (i16x8.sub_sat_u (local.get $even) (local.get $x)) (v128.const i64x2 0 0))
                          (i16x8.ne (i16x8.sub_sat_u (local.get $odd) (local.get $x)) (v128.const i64x2 0 0)))))))
                (if (local.get $mask)
                  (then
                    (call $passBlock (local.get $ctx) (local.get $even) (local.get $odd) (local.get $mask) (i32.add (local.get $row0) (local.get $r))
                      (i32.sub (local.get $nRows) (local.get $r)) (local.get $tmp))))
                (local.set $mask (i32.const 0xffff))
                (if (f32.ge (local.get $t2) (f32.const 1))
                  (then
                    (local.set $mask
                      (i8x16.bitmask
                        (i8x16.narrow_i16x8_s
                          (i16x8.ne (i16x8.sub_sat_u (local.get $even2) (local.get $x2)) (v128.const i64x2 0 0))
                          (i16x8.ne (i16x8.sub_sat_u (local.get $odd2) (local.get $x2)) (v128.const i64x2 0 0)))))))
                (if (local.get $mask)
                  (then
                    (call $passBlock (local.get $ctx) (local.get $even2) (local.get $odd2) (local.get $mask) (i32.add (local.get $row0) (i32.add (local.get $r) (local.get $half)))
                      (i32.sub (local.get $nRows) (i32.add (local.get $r) (local.get $half))) (local.get $tmp))))
                (local.set $limit (call $asymLimit (local.get $ctx)))
                (local.set $scaled (f32.div (local.get $limit) (local.get $step)))
                (local.set $ranges (call $rangesFor (local.get $ctx) (local.get $limit)))))
            (local.set $c (i32.add (local.get $c) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 16)))
            (br $pairs)))
        (local.set $c (i32.add (local.get $c) (local.get $boff)))
        (local.set $r (i32.add (local.get $r) (local.get $half)))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $tp (local.get $tabs))
        (local.set $left (local.get $nBytes))
        (local.set $p (local.get $c))
        ;; u16 lanes hold sums of 128 positions of up to 255: accumulate in segments; all
        ;; but the last are widened into i32 sums at tmp + 128 (only rows wider than 1024 bits
        ;; have several).
        (v128.store offset=128 (local.get $tmp) (v128.const i64x2 0 0))
        (v128.store offset=144 (local.get $tmp) (v128.const i64x2 0 0))
        (v128.store offset=160 (local.get $tmp) (v128.const i64x2 0 0))
        (v128.store offset=176 (local.get $tmp) (v128.const i64x2 0 0))
        (loop $segments
          (local.set $n
            (select (local.get $left) (i32.const 128) (i32.lt_u (local.get $left) (i32.const 128))))
          (local.set $left (i32.sub (local.get $left) (local.get $n)))
          (local.set $even (v128.const i64x2 0 0))
          (local.set $odd (v128.const i64x2 0 0))
          (loop $position
            (local.set $x (v128.load (local.get $p)))
            ;; u16 lanes: even += byte pairs (wrapping), odd += the high bytes; even - odd * 256
            ;; is then the sum of the low bytes. A byte adds the rounded-up average of its two
            ;; nibble codes.
            (local.set $v
              (i8x16.avgr_u
                (i8x16.swizzle (v128.load (local.get $tp)) (v128.and (local.get $x) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
                (i8x16.swizzle (v128.load offset=16 (local.get $tp))
                  (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))))
            (local.set $even (i16x8.add (local.get $even) (local.get $v)))
            (local.set $odd (i16x8.add (local.get $odd) (i16x8.shr_u (local.get $v) (i32.const 8))))
            (local.set $tp (i32.add (local.get $tp) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $position (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
          ;; Rows 0, 2, .. 14 in even, 1, 3, .. 15 in odd.
          (local.set $even (i16x8.sub (local.get $even) (i16x8.shl (local.get $odd) (i32.const 8))))
          (if (local.get $left)
            (then
              (call $widen (local.get $even) (local.get $odd) (local.get $tmp) (i32.const 1))
              (br $segments))))
        ;; The block test (one segment): a row can beat the limit t only if
        ;; step * S + bias > t * norm >= t * (smallest norm if t >= 0, else largest).
        (local.set $pass (i32.const 1))
        (if (i32.and (i32.eqz (i32.load offset=12 (local.get $ctx))) (i32.le_u (local.get $nBytes) (i32.const 128)))
          (then
            (local.set $limit (call $asymLimit (local.get $ctx)))
            (local.set $norm (f32.const 1))
            (if (i32.load offset=52 (local.get $ctx))
              (then
                (local.set $norm
                  (f32.load
                    (i32.add (i32.load offset=56 (local.get $ctx))
                      (i32.add (i32.shr_u (i32.add (local.get $row0) (local.get $r)) (i32.const 1))
                        (select (i32.const 0) (i32.const 4) (f32.ge (local.get $limit) (f32.const 0)))))))))
            (local.set $limit
              (f32.div
                (f32.sub (f32.mul (local.get $limit) (local.get $norm)) (f32.load offset=4 (local.get $ctx)))
                (f32.load (local.get $ctx))))
            ;; Not a number, below 1 or unknown: check every row. Otherwise some S must exceed
            ;; limit - 1 (one code of slack for float rounding).
            (if (f32.ge (local.get $limit) (f32.const 1))
              (then
                (local.set $pass (i32.const 0))
                (if (f32.lt (local.get $limit) (f32.const 65536))
                  (then
                    (local.set $x (i16x8.splat (i32.sub (i32.trunc_f32_u (local.get $limit)) (i32.const 1))))
                    (local.set $pass
                      (v128.any_true
                        (v128.or (i16x8.sub_sat_u (local.get $even) (local.get $x))
                          (i16x8.sub_sat_u (local.get $odd) (local.get $x)))))))))))
        (if (local.get $pass)
          (then
            (call $widen (local.get $even) (local.get $odd) (local.get $tmp) (i32.const 0))
            (call $blockRows (local.get $ctx) (local.get $tmp) (i32.add (local.get $row0) (local.get $r))
              (i32.sub (local.get $nRows) (local.get $r)))))
        (local.set $c (i32.add (local.get $c) (i32.shl (local.get $nBytes) (i32.const 4))))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (br $blocks))))

  ;; The rows of a block from the two-block loop that can beat the limit (mask, as there) with
  ;; their code sums in even and odd: each row's bounds, computed as $bounds does, then as in
  ;; $blockRows (buffer, lower heap), except that an upper bound equal to the limit is buffered
  ;; (rows come out of order there, so a tie with the k-th key may still be won by row). Rows left out cannot beat the limit: leaving their lower
  ;; bounds out of the lower heap only keeps its k-th bound lower, which stays valid.
  (func $passBlock (param $ctx i32) (param $even v128) (param $odd v128) (param $mask i32) (param $row0 i32)
    (param $left i32) (param $tmp i32)
    (local $j i32) (local $lane i32) (local $row i32) (local $l1 i32) (local $skip i32) (local $norm f32)
    (local $base f32) (local $u f32) (local $lo f32)
    (v128.store (local.get $tmp) (local.get $even))
    (v128.store offset=16 (local.get $tmp) (local.get $odd))
    (local.set $l1 (i32.load offset=52 (local.get $ctx)))
    (local.set $skip (i32.load offset=64 (local.get $ctx)))
    (block $lanesDone
      (loop $lanes
        (br_if $lanesDone (i32.eqz (local.get $mask)))
        (local.set $j (i32.ctz (local.get $mask)))
        (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
        (local.set $lane (i32.or (i32.shl (i32.and (local.get $j) (i32.const 7)) (i32.const 1)) (i32.shr_u (local.get $j) (i32.const 3))))
        (local.set $row (i32.add (local.get $row0) (local.get $lane)))
        (if (i32.and (i32.lt_u (local.get $lane) (local.get $left))
              (i32.or (i32.eqz (local.get $skip))
                (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $row))))))
          (then
            (local.set $base
              (f32.mul
                (f32.convert_i32_u (i32.load16_u (i32.add (local.get $tmp) (i32.shl (local.get $j) (i32.const 1)))))
                (f32.load (local.get $ctx))))
            (local.set $u (f32.add (local.get $base) (f32.load offset=4 (local.get $ctx))))
            (local.set $lo (f32.add (local.get $base) (f32.load offset=8 (local.get $ctx))))
            (if (local.get $l1)
              (then
                (local.set $norm (f32.load (i32.add (local.get $l1) (i32.shl (local.get $row) (i32.const 2)))))
                (if (f32.gt (local.get $norm) (f32.const 0))
                  (then
                    (local.set $u (f32.div (local.get $u) (local.get $norm)))
                    (local.set $lo (f32.div (local.get $lo) (local.get $norm))))
                  (else
                    (local.set $u (f32.const 0))
                    (local.set $lo (f32.const 0))))))
            (if (i32.or (f32.ge (local.get $u) (call $asymLimit (local.get $ctx)))
                  (i32.eqz (f32.lt (f32.abs (local.get $u)) (f32.const 1e38))))
              (then (call $bufferPush (local.get $ctx) (local.get $row) (local.get $u))))
            (if (f32.gt (local.get $lo) (f32.load offset=8 (i32.load offset=16 (local.get $ctx))))
              (then
                (call $heapOffer (i32.load offset=16 (local.get $ctx)) (local.get $lo) (local.get $row))))))
        (br $lanes))))

  ;; The rows of a block that passed the test: code sums at tmp (plus earlier segments at
  ;; tmp + 128) become upper and lower bounds; rows whose upper bound beats the limit wait in the
  ;; buffer, rows whose lower bound beats the k-th lower bound go to the lower heap. row0 is the
  ;; block's first row, left how many rows remain (the block holds min(16, left)).
  (func $blockRows (param $ctx i32) (param $tmp i32) (param $row0 i32) (param $left i32)
    (local $l1 i32) (local $mask i32) (local $lane i32) (local $row i32) (local $skip i32) (local $i i32)
    (local $limit f32) (local $low f32) (local $u f32) (local $lo f32)
    (local.set $l1
      (select
        (i32.add (i32.load offset=52 (local.get $ctx)) (i32.shl (local.get $row0) (i32.const 2)))
        (i32.const 0)
        (i32.load offset=52 (local.get $ctx))))
    ;; Upper bounds of the 16 keys at tmp, lower bounds at tmp + 64.
    (loop $quads
      (call $bounds (local.get $ctx)
        (i32x4.add (v128.load (local.get $tmp)) (v128.load offset=128 (local.get $tmp)))
        (select (i32.add (local.get $l1) (local.get $i)) (i32.const 0) (local.get $l1))
        (local.get $tmp))
      (local.set $tmp (i32.add (local.get $tmp) (i32.const 16)))
      (br_if $quads (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 64))))
    (local.set $tmp (i32.sub (local.get $tmp) (i32.const 64)))
    ;; Lanes to look at: upper bound above the limit or not finite, or lower bound above the k-th
    ;; lower bound; every valid row when scoring every row exactly.
    (local.set $limit (call $asymLimit (local.get $ctx)))
    (local.set $low (f32.load offset=8 (i32.load offset=16 (local.get $ctx))))
    (local.set $mask
      (i32.and
        (select
          (i32.const 0xffff)
          (i32.or
            (i32.or (call $laneBits (local.get $tmp) (local.get $limit) (local.get $low))
              (i32.shl (call $laneBits (i32.add (local.get $tmp) (i32.const 16)) (local.get $limit) (local.get $low)) (i32.const 4)))
            (i32.or
              (i32.shl (call $laneBits (i32.add (local.get $tmp) (i32.const 32)) (local.get $limit) (local.get $low)) (i32.const 8))
              (i32.shl (call $laneBits (i32.add (local.get $tmp) (i32.const 48)) (local.get $limit) (local.get $low)) (i32.const 12))))
          (i32.load offset=12 (local.get $ctx)))
        (i32.sub
          (i32.shl (i32.const 1) (select (local.get $left) (i32.const 16) (i32.lt_u (local.get $left) (i32.const 16))))
          (i32.const 1))))
    (local.set $skip (i32.load offset=64 (local.get $ctx)))
    (block $lanesDone
      (loop $lanes
        (br_if $lanesDone (i32.eqz (local.get $mask)))
        (local.set $lane (i32.ctz (local.get $mask)))
        (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
        (local.set $row (i32.add (local.get $row0) (local.get $lane)))
        (if (i32.or (i32.eqz (local.get $skip))
              (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $row)))))
          (then
            (if (i32.load offset=12 (local.get $ctx))
              (then (call $offerExact (local.get $ctx) (local.get $row)))
              (else
                (local.set $u (f32.load (i32.add (local.get $tmp) (i32.shl (local.get $lane) (i32.const 2)))))
                (local.set $lo (f32.load offset=64 (i32.add (local.get $tmp) (i32.shl (local.get $lane) (i32.const 2)))))
                (if (i32.or (f32.ge (local.get $u) (call $asymLimit (local.get $ctx)))
                      (i32.eqz (f32.lt (f32.abs (local.get $u)) (f32.const 1e38))))
                  (then (call $bufferPush (local.get $ctx) (local.get $row) (local.get $u))))
                (if (f32.gt (local.get $lo) (f32.load offset=8 (i32.load offset=16 (local.get $ctx))))
                  (then
                    (call $heapOffer (i32.load offset=16 (local.get $ctx)) (local.get $lo) (local.get $row))))))))
        (br $lanes))))

  ;; Code sums of rows 0..15 (even rows in even, odd rows in odd, u16 lanes) as four i32x4: at
  ;; out, or added to the four at out + 128 when add is 1.
  (func $widen (param $even v128) (param $odd v128) (param $out i32) (param $add i32)
    (local $lo v128) (local $hi v128) (local $i i32)
    (local.set $lo (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $even) (local.get $odd)))
    (local.set $hi (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $even) (local.get $odd)))
    (v128.store (local.get $out) (i32x4.extend_low_i16x8_u (local.get $lo)))
    (v128.store offset=16 (local.get $out) (i32x4.extend_high_i16x8_u (local.get $lo)))
    (v128.store offset=32 (local.get $out) (i32x4.extend_low_i16x8_u (local.get $hi)))
    (v128.store offset=48 (local.get $out) (i32x4.extend_high_i16x8_u (local.get $hi)))
    (if (local.get $add)
      (then
        (loop $quads
          (v128.store offset=128 (i32.add (local.get $out) (local.get $i))
            (i32x4.add (v128.load offset=128 (i32.add (local.get $out) (local.get $i)))
              (v128.load (i32.add (local.get $out) (local.get $i)))))
          (br_if $quads (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (i32.const 64)))))))

  ;; Upper (at out) and lower (at out + 64) bounds of 4 keys with code sums S: step * S + bias and
  ;; step * S + low, divided by the norms at l1 when l1 is not 0 (a norm not > 0 gives 0).
  (func $bounds (param $ctx i32) (param $sums v128) (param $l1 i32) (param $out i32)
    (local $base v128) (local $norm v128) (local $ok v128) (local $u v128) (local $lo v128)
    (local.set $base (f32x4.mul (f32x4.convert_i32x4_u (local.get $sums)) (f32x4.splat (f32.load (local.get $ctx)))))
    (local.set $u (f32x4.add (local.get $base) (f32x4.splat (f32.load offset=4 (local.get $ctx)))))
    (local.set $lo (f32x4.add (local.get $base) (f32x4.splat (f32.load offset=8 (local.get $ctx)))))
    (if (local.get $l1)
      (then
        (local.set $norm (v128.load (local.get $l1)))
        (local.set $ok (f32x4.gt (local.get $norm) (v128.const f32x4 0 0 0 0)))
        (local.set $u (v128.and (f32x4.div (local.get $u) (local.get $norm)) (local.get $ok)))
        (local.set $lo (v128.and (f32x4.div (local.get $lo) (local.get $norm)) (local.get $ok)))))
    (v128.store (local.get $out) (local.get $u))
    (v128.store offset=64 (local.get $out) (local.get $lo)))

  ;; Bits of the 4 lanes at at whose upper bound beats limit or is not finite, or whose lower
  ;; bound (at at + 64) beats lowLimit.
  (func $laneBits (param $at i32) (param $limit f32) (param $lowLimit f32) (result i32)
    (local $u v128)
    (local.set $u (v128.load (local.get $at)))
    (i32x4.bitmask
      (v128.or
        (v128.or (f32x4.gt (local.get $u) (f32x4.splat (local.get $limit)))
          (v128.not (f32x4.lt (f32x4.abs (local.get $u)) (v128.const f32x4 1e38 1e38 1e38 1e38))))
        (f32x4.gt (v128.load offset=64 (local.get $at)) (f32x4.splat (local.get $lowLimit))))))

  ;; Keeps (row, upper) for asymFlush; flushes when the buffer is full.
  (func $bufferPush (param $ctx i32) (param $row i32) (param $u f32)
    (local $count i32) (local $at i32)
    (local.set $count (i32.load offset=32 (local.get $ctx)))
    (local.set $at (i32.add (i32.load offset=24 (local.get $ctx)) (i32.shl (local.get $count) (i32.const 3))))
    (i32.store (local.get $at) (local.get $row))
    (f32.store offset=4 (local.get $at) (local.get $u))
    (local.set $count (i32.add (local.get $count) (i32.const 1)))
    (i32.store offset=32 (local.get $ctx) (local.get $count))
    (if (i32.ge_u (local.get $count) (i32.load offset=28 (local.get $ctx)))
      (then (call $asymFlush (local.get $ctx)))))

  ;; Scores the buffered rows that can still enter the top-k exactly and empties the buffer.
  ;; Rows whose upper bound is below L cannot enter (L may by now include later rows, so an
  ;; upper bound equal to it still counts); the rest are scored best upper bound first (a max-heap
  ;; in place, an upper bound that is not finite counting as +inf), so the k-th key rises early,
  ;; until the best upper bound left is below it. Equal keys are settled by row in the exact heap.
  (func $asymFlush (export "asymFlush") (param $ctx i32)
    (local $at i32) (local $end i32) (local $u f32) (local $n i32) (local $i i32) (local $row i32)
    (local.set $at (i32.load offset=24 (local.get $ctx)))
    (local.set $end (i32.add (local.get $at) (i32.shl (i32.load offset=32 (local.get $ctx)) (i32.const 3))))
    (i32.store offset=32 (local.get $ctx) (i32.const 0))
    (block $kept
      (loop $entries
        (br_if $kept (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $u (f32.load offset=4 (local.get $at)))
        (if (i32.eqz (f32.lt (f32.abs (local.get $u)) (f32.const 1e38)))
          (then (local.set $u (f32.const inf))))
        (if (f32.ge (local.get $u) (f32.load offset=8 (i32.load offset=16 (local.get $ctx))))
          (then
            (call $siftUp (i32.load offset=24 (local.get $ctx)) (local.get $n) (i32.load (local.get $at)) (local.get $u))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $entries)))
    (local.set $at (i32.load offset=24 (local.get $ctx)))
    (block $done
      (loop $best
        (br_if $done (i32.eqz (local.get $n)))
        (br_if $done
          (f32.lt (f32.load offset=4 (local.get $at)) (f32.load offset=8 (i32.load offset=20 (local.get $ctx)))))
        (local.set $row (i32.load (local.get $at)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (call $siftDown (local.get $at) (local.get $n)
          (i32.load (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3))))
          (f32.load offset=4 (i32.add (local.get $at) (i32.shl (local.get $n) (i32.const 3)))))
        (call $offerExact (local.get $ctx) (local.get $row))
        (br $best))))

  ;; Max-heap of (i32 row, f32 upper) at h by upper: adds (row, u) as entry n (entries 0 .. n - 1
  ;; form the heap). The entries are written from the front of the buffer they are read from,
  ;; never past the one being read.
  (func $siftUp (param $h i32) (param $n i32) (param $row i32) (param $u f32)
    (local $p i32)
    (block $placed
      (loop $up
        (br_if $placed (i32.eqz (local.get $n)))
        (local.set $p (i32.shr_u (i32.sub (local.get $n) (i32.const 1)) (i32.const 1)))
        (br_if $placed
          (f32.ge (f32.load offset=4 (i32.add (local.get $h) (i32.shl (local.get $p) (i32.const 3)))) (local.get $u)))
        (i64.store (i32.add (local.get $h) (i32.shl (local.get $n) (i32.const 3)))
          (i64.load (i32.add (local.get $h) (i32.shl (local.get $p) (i32.const 3)))))
        (local.set $n (local.get $p))
        (br $up)))
    (i32.store (i32.add (local.get $h) (i32.shl (local.get $n) (i32.const 3))) (local.get $row))
    (f32.store offset=4 (i32.add (local.get $h) (i32.shl (local.get $n) (i32.const 3))) (local.get $u)))

  ;; Replaces the root of the max-heap of n entries at h by (row, u) and restores the order.
  (func $siftDown (param $h i32) (param $n i32) (param $row i32) (param $u f32)
    (local $i i32) (local $c i32) (local $cp i32)
    (block $placed
      (loop $down
        (local.set $c (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
        (br_if $placed (i32.ge_u (local.get $c) (local.get $n)))
        (local.set $cp (i32.add (local.get $h) (i32.shl (local.get $c) (i32.const 3))))
        (if (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $n))
          (then
            (if (f32.gt (f32.load offset=12 (local.get $cp)) (f32.load offset=4 (local.get $cp)))
              (then
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (local.set $cp (i32.add (local.get $cp) (i32.const 8)))))))
        (br_if $placed (f32.ge (local.get $u) (f32.load offset=4 (local.get $cp))))
        (i64.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 3))) (i64.load (local.get $cp)))
        (local.set $i (local.get $c))
        (br $down)))
    (i32.store (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 3))) (local.get $row))
    (f32.store offset=4 (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 3))) (local.get $u)))

  ;; The exact key of a row, offered to the exact heap when it is not below the k-th key (the
  ;; heap settles a tie by row) and not -inf (which never enters, as in topk.ts). Byte b of the
  ;; row has the partial H[b][v >> 4] (asymPrepare) plus, for bits 3, 2, 1, 0 of v in that order,
  ;; 2 w if the bit is set and -0.0 if not (which leaves every float64 unchanged), rounded to f32;
  ;; a word sums its 4 partials left to right, s sums the words. The addends are loaded from a
  ;; pair (-0.0, 2 w) by the bit, so no branch depends on the row's bits.
  (func $offerExact (param $ctx i32) (param $row i32)
    (local $s f64) (local $word f64) (local $part f64) (local $p i32) (local $b i32) (local $nBytes i32)
    (local $pos i32) (local $pos2 i32) (local $pos3 i32) (local $h i32) (local $two i32) (local $v i32)
    (local $norm f32)
    (local $key f32)
    (local.set $nBytes (i32.load offset=60 (local.get $ctx)))
    (local.set $pos (i32.load offset=48 (local.get $ctx)))
    (local.set $h (i32.load offset=36 (local.get $ctx)))
    (local.set $two (i32.add (local.get $h) (i32.shl (local.get $nBytes) (i32.const 7))))
    (local.set $p
      (i32.add (i32.load offset=40 (local.get $ctx))
        (i32.add (i32.mul (i32.shr_u (local.get $row) (i32.const 4)) (i32.shl (local.get $nBytes) (i32.const 4)))
          (i32.mul (i32.and (local.get $row) (i32.const 15)) (i32.load offset=44 (local.get $ctx))))))
    ;; nBytes is a multiple of 4: one word an iteration, its four partials written out.
    (local.set $pos2 (i32.shl (local.get $pos) (i32.const 1)))
    (local.set $pos3 (i32.mul (local.get $pos) (i32.const 3)))
    (loop $words
      (local.set $v (i32.load8_u (local.get $p)))
      (local.set $part
        (f64.promote_f32
          (f32.demote_f64
            (f64.add
              (f64.add
                (f64.add
                  (f64.add
                    (f64.load offset=0 (i32.add (local.get $h) (i32.shl (i32.shr_u (local.get $v) (i32.const 4)) (i32.const 3))))
                    (f64.load offset=48 (i32.add (local.get $two) (i32.and (local.get $v) (i32.const 8)))))
                  (f64.load offset=32 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 1)) (i32.const 8)))))
                (f64.load offset=16 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 2)) (i32.const 8)))))
              (f64.load offset=0 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 3)) (i32.const 8))))))))
      (local.set $word (local.get $part))
      (local.set $v (i32.load8_u (i32.add (local.get $p) (local.get $pos))))
      (local.set $part
        (f64.promote_f32
          (f32.demote_f64
            (f64.add
              (f64.add
                (f64.add
                  (f64.add
                    (f64.load offset=128 (i32.add (local.get $h) (i32.shl (i32.shr_u (local.get $v) (i32.const 4)) (i32.const 3))))
                    (f64.load offset=112 (i32.add (local.get $two) (i32.and (local.get $v) (i32.const 8)))))
                  (f64.load offset=96 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 1)) (i32.const 8)))))
                (f64.load offset=80 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 2)) (i32.const 8)))))
              (f64.load offset=64 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 3)) (i32.const 8))))))))
      (local.set $word (f64.add (local.get $word) (local.get $part)))
      (local.set $v (i32.load8_u (i32.add (local.get $p) (local.get $pos2))))
      (local.set $part
        (f64.promote_f32
          (f32.demote_f64
            (f64.add
              (f64.add
                (f64.add
                  (f64.add
                    (f64.load offset=256 (i32.add (local.get $h) (i32.shl (i32.shr_u (local.get $v) (i32.const 4)) (i32.const 3))))
                    (f64.load offset=176 (i32.add (local.get $two) (i32.and (local.get $v) (i32.const 8)))))
                  (f64.load offset=160 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 1)) (i32.const 8)))))
                (f64.load offset=144 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 2)) (i32.const 8)))))
              (f64.load offset=128 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 3)) (i32.const 8))))))))
      (local.set $word (f64.add (local.get $word) (local.get $part)))
      (local.set $v (i32.load8_u (i32.add (local.get $p) (local.get $pos3))))
      (local.set $part
        (f64.promote_f32
          (f32.demote_f64
            (f64.add
              (f64.add
                (f64.add
                  (f64.add
                    (f64.load offset=384 (i32.add (local.get $h) (i32.shl (i32.shr_u (local.get $v) (i32.const 4)) (i32.const 3))))
                    (f64.load offset=240 (i32.add (local.get $two) (i32.and (local.get $v) (i32.const 8)))))
                  (f64.load offset=224 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 1)) (i32.const 8)))))
                (f64.load offset=208 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 2)) (i32.const 8)))))
              (f64.load offset=192 (i32.add (local.get $two) (i32.and (i32.shl (local.get $v) (i32.const 3)) (i32.const 8))))))))
      (local.set $word (f64.add (local.get $word) (local.get $part)))
      (local.set $s (f64.add (local.get $s) (local.get $word)))
      (local.set $p (i32.add (local.get $p) (i32.shl (local.get $pos) (i32.const 2))))
      (local.set $h (i32.add (local.get $h) (i32.const 512)))
      (local.set $two (i32.add (local.get $two) (i32.const 256)))
      (br_if $words (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 4))) (local.get $nBytes))))
    (local.set $p (i32.load offset=52 (local.get $ctx)))
    (if (local.get $p)
      (then
        (local.set $norm (f32.load (i32.add (local.get $p) (i32.shl (local.get $row) (i32.const 2)))))
        (local.set $s
          (f64.mul (local.get $s)
            (select
              (f64.div (f64.const 1) (f64.promote_f32 (local.get $norm)))
              (f64.const 0)
              (f32.gt (local.get $norm) (f32.const 0)))))))
    (local.set $key (f32.demote_f64 (local.get $s)))
    (if (i32.and (f32.ge (local.get $key) (f32.load offset=8 (i32.load offset=20 (local.get $ctx))))
          (f32.gt (local.get $key) (f32.const -inf)))
      (then (call $heapOffer (i32.load offset=20 (local.get $ctx)) (local.get $key) (local.get $row)))))

  ;; The tables of a query (f32 q, dims values) for exact keys, at out: for each of nBytes byte
  ;; positions 16 f64 H[h], the partial of byte value h << 4 (-(w0 + .. + w7), then 2 w_(4+i) for
  ;; each set bit i of h, highest first); then for each position the pairs (-0.0, 2 w_i) of bits
  ;; i = 0..3 (8 f64).
  (func (export "asymPrepare") (param $q i32) (param $dims i32) (param $nBytes i32) (param $out i32)
    (local $b i32) (local $j i32) (local $h i32) (local $total f64) (local $w f64) (local $two i32)
    (local.set $two (i32.add (local.get $out) (i32.shl (local.get $nBytes) (i32.const 7))))
    (block $done
      (loop $positions
        (br_if $done (i32.eqz (local.get $nBytes)))
        (local.set $total (f64.const 0))
        (local.set $b (i32.const 0))
        ;; 2 w_i of the 8 bits into the 8 slots at two (bits 4..7 are used for H, then replaced).
        (loop $weights
          (local.set $w
            (select
              (f64.promote_f32 (f32.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 2)))))
              (f64.const 0)
              (i32.lt_u (local.get $j) (local.get $dims))))
          (f64.store (i32.add (local.get $two) (i32.shl (local.get $b) (i32.const 3))) (f64.mul (f64.const 2) (local.get $w)))
          (local.set $total (f64.add (local.get $total) (local.get $w)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $weights (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (i32.const 8))))
        (f64.store (local.get $out) (f64.neg (local.get $total)))
        (local.set $h (i32.const 1))
        (loop $highs
          (f64.store (i32.add (local.get $out) (i32.shl (local.get $h) (i32.const 3)))
            (f64.add
              (f64.load (i32.add (local.get $out)
                (i32.shl (i32.and (local.get $h) (i32.sub (local.get $h) (i32.const 1))) (i32.const 3))))
              (f64.load offset=32 (i32.add (local.get $two) (i32.shl (i32.ctz (local.get $h)) (i32.const 3))))))
          (br_if $highs (i32.lt_u (local.tee $h (i32.add (local.get $h) (i32.const 1))) (i32.const 16))))
        ;; Spread 2 w_3 .. 2 w_0 into their pairs (from the top, so no slot is read after it is written).
        (local.set $b (i32.const 3))
        (loop $pairs
          (f64.store offset=8 (i32.add (local.get $two) (i32.shl (local.get $b) (i32.const 4)))
            (f64.load (i32.add (local.get $two) (i32.shl (local.get $b) (i32.const 3)))))
          (f64.store (i32.add (local.get $two) (i32.shl (local.get $b) (i32.const 4))) (f64.const -0))
          (br_if $pairs (i32.ge_s (local.tee $b (i32.sub (local.get $b) (i32.const 1))) (i32.const 0))))
        (local.set $out (i32.add (local.get $out) (i32.const 128)))
        (local.set $two (i32.add (local.get $two) (i32.const 64)))
        (local.set $nBytes (i32.sub (local.get $nBytes) (i32.const 1)))
        (br $positions))))

  ;; For each block of 16 norms at l1, the two f32 (smallest, largest) at out + 8 * block; NaN
  ;; for both when a norm is not within [1e-30, 1e30) (the block test is then skipped).
  (func (export "l1Ranges") (param $l1 i32) (param $out i32) (param $nBlocks i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $ok v128) (local $j i32)
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $nBlocks)))
        (local.set $lo (v128.const f32x4 inf inf inf inf))
        (local.set $hi (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
        (local.set $j (i32.const 0))
        (loop $quads
          (local.set $v (v128.load (i32.add (local.get $l1) (local.get $j))))
          (local.set $lo (f32x4.min (local.get $lo) (local.get $v)))
          (local.set $hi (f32x4.max (local.get $hi) (local.get $v)))
          (local.set $ok
            (v128.and (local.get $ok)
              (v128.and (f32x4.ge (local.get $v) (v128.const f32x4 1e-30 1e-30 1e-30 1e-30))
                (f32x4.lt (local.get $v) (v128.const f32x4 1e30 1e30 1e30 1e30)))))
          (br_if $quads (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 64))))
        (local.set $lo (f32x4.min (local.get $lo) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo))))
        (local.set $lo (f32x4.min (local.get $lo) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $lo) (local.get $lo))))
        (local.set $hi (f32x4.max (local.get $hi) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))
        (local.set $hi (f32x4.max (local.get $hi) (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $hi) (local.get $hi))))
        (if (i32x4.all_true (local.get $ok))
          (then
            (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $lo)))
            (f32.store offset=4 (local.get $out) (f32x4.extract_lane 0 (local.get $hi))))
          (else
            (f32.store (local.get $out) (f32.const nan))
            (f32.store offset=4 (local.get $out) (f32.const nan))))
        (local.set $l1 (i32.add (local.get $l1) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $nBlocks (i32.sub (local.get $nBlocks) (i32.const 1)))
        (br $blocks))))

  ;; Row layout to block layout: 16 * nBlocks rows of nBytes at src (zero rows pad the last
  ;; block) into nBlocks blocks at dst. Each 16 x 16 square of bytes is transposed in registers by
  ;; four rounds of the same perfect shuffle: vectors i and i + 8 become 2i and 2i + 1, their bytes
  ;; interleaved.
  (func (export "toBlocks") (param $src i32) (param $dst i32) (param $nBlocks i32) (param $nBytes i32)
    (local $j i32) (local $i i32) (local $b i32) (local $chunks i32) (local $round i32) (local $p i32) (local $q i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128) (local $r8 v128) (local $r9 v128) (local $r10 v128) (local $r11 v128) (local $r12 v128) (local $r13 v128) (local $r14 v128) (local $r15 v128)
    (local.set $chunks (i32.shr_u (local.get $nBytes) (i32.const 4)))
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $nBlocks)))
        (local.set $j (i32.const 0))
        (block $chunksDone
          (loop $chunk
            (br_if $chunksDone (i32.ge_u (local.get $j) (local.get $chunks)))
            (local.set $p (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 4))))
            (local.set $r0 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 0) (local.get $nBytes)))))
            (local.set $r1 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 1) (local.get $nBytes)))))
            (local.set $r2 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 2) (local.get $nBytes)))))
            (local.set $r3 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 3) (local.get $nBytes)))))
            (local.set $r4 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 4) (local.get $nBytes)))))
            (local.set $r5 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 5) (local.get $nBytes)))))
            (local.set $r6 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 6) (local.get $nBytes)))))
            (local.set $r7 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 7) (local.get $nBytes)))))
            (local.set $r8 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 8) (local.get $nBytes)))))
            (local.set $r9 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 9) (local.get $nBytes)))))
            (local.set $r10 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 10) (local.get $nBytes)))))
            (local.set $r11 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 11) (local.get $nBytes)))))
            (local.set $r12 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 12) (local.get $nBytes)))))
            (local.set $r13 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 13) (local.get $nBytes)))))
            (local.set $r14 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 14) (local.get $nBytes)))))
            (local.set $r15 (v128.load offset=0 (i32.add (local.get $p) (i32.mul (i32.const 15) (local.get $nBytes)))))
            (local.set $round (i32.const 4))
            (loop $rounds
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r0) (local.get $r8))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r0) (local.get $r8))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r1) (local.get $r9))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r1) (local.get $r9))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r2) (local.get $r10))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r2) (local.get $r10))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r3) (local.get $r11))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r3) (local.get $r11))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r4) (local.get $r12))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r4) (local.get $r12))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r5) (local.get $r13))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r5) (local.get $r13))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r6) (local.get $r14))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r6) (local.get $r14))
              (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $r7) (local.get $r15))
              (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $r7) (local.get $r15))
              (local.set $r15)
              (local.set $r14)
              (local.set $r13)
              (local.set $r12)
              (local.set $r11)
              (local.set $r10)
              (local.set $r9)
              (local.set $r8)
              (local.set $r7)
              (local.set $r6)
              (local.set $r5)
              (local.set $r4)
              (local.set $r3)
              (local.set $r2)
              (local.set $r1)
              (local.set $r0)
              (br_if $rounds (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))
            (local.set $q (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 8))))
            (v128.store offset=0 (local.get $q) (local.get $r0))
            (v128.store offset=16 (local.get $q) (local.get $r1))
            (v128.store offset=32 (local.get $q) (local.get $r2))
            (v128.store offset=48 (local.get $q) (local.get $r3))
            (v128.store offset=64 (local.get $q) (local.get $r4))
            (v128.store offset=80 (local.get $q) (local.get $r5))
            (v128.store offset=96 (local.get $q) (local.get $r6))
            (v128.store offset=112 (local.get $q) (local.get $r7))
            (v128.store offset=128 (local.get $q) (local.get $r8))
            (v128.store offset=144 (local.get $q) (local.get $r9))
            (v128.store offset=160 (local.get $q) (local.get $r10))
            (v128.store offset=176 (local.get $q) (local.get $r11))
            (v128.store offset=192 (local.get $q) (local.get $r12))
            (v128.store offset=208 (local.get $q) (local.get $r13))
            (v128.store offset=224 (local.get $q) (local.get $r14))
            (v128.store offset=240 (local.get $q) (local.get $r15))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $chunk)))
        ;; The nBytes % 16 trailing bytes, one at a time.
        (local.set $b (i32.shl (local.get $chunks) (i32.const 4)))
        (block $bytesDone
          (loop $bytes
            (br_if $bytesDone (i32.ge_u (local.get $b) (local.get $nBytes)))
            (local.set $i (i32.const 0))
            (loop $lanes
              (i32.store8
                (i32.add (local.get $dst) (i32.add (i32.shl (local.get $b) (i32.const 4)) (local.get $i)))
                (i32.load8_u (i32.add (local.get $src) (i32.add (i32.mul (local.get $i) (local.get $nBytes)) (local.get $b)))))
              (br_if $lanes (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 16))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bytes)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $nBytes) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $nBytes) (i32.const 4))))
        (local.set $nBlocks (i32.sub (local.get $nBlocks) (i32.const 1)))
        (br $blocks))))
)

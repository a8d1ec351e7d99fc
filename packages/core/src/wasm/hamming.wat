;; Hamming distances with WebAssembly SIMD (i8x16.popcnt). Hand-written; assembled into
;; hamming-wasm.ts by `node packages/core/scripts/build-wasm.mjs`.
;;
;; distance(qp, cp, chunks, rem): bits that differ between the packed rows at qp and cp, read
;; 16 bytes at a time (chunks) plus rem trailing 32-bit words with scalar i32.popcnt.
;;
;; hamming(q, nq, c, nRows, wpr, out): for each of nq packed query rows at q and each of nRows
;; packed corpus rows at c (wpr 32-bit words a row, rows contiguous), writes the i32 distance
;; to out[qi * nRows + r].
;;
;; select(q, c, nRows, wpr, limit, out) -> count: one query against nRows rows; appends the pair
;; (r, distance) as two i32 to out for every row whose distance is <= limit, and returns how
;; many pairs it wrote. The caller passes the distance a row must reach to enter its top-k.
(module
  (memory (export "memory") 1)
  (func $distance (param $qp i32) (param $cp i32) (param $chunks i32) (param $rem i32) (result i32)
    (local $acc v128) (local $d i32) (local $n i32)
    ;; Byte lanes of $acc count at most 8 bits a chunk, so they are widened every 31 chunks.
    (block $groupsDone
      (loop $groups
        (br_if $groupsDone (i32.eqz (local.get $chunks)))
        (local.set $n
          (select (local.get $chunks) (i32.const 31) (i32.lt_u (local.get $chunks) (i32.const 31))))
        (local.set $chunks (i32.sub (local.get $chunks) (local.get $n)))
        (local.set $acc (v128.const i64x2 0 0))
        (loop $chunkLoop
          (local.set $acc
            (i8x16.add (local.get $acc)
              (i8x16.popcnt (v128.xor (v128.load (local.get $qp)) (v128.load (local.get $cp))))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
          (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
          (br_if $chunkLoop (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.set $acc (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
        (local.set $d
          (i32.add (local.get $d)
            (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
              (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
        (br $groups)))
    (block $wordsDone
      (loop $words
        (br_if $wordsDone (i32.eqz (local.get $rem)))
        (local.set $d
          (i32.add (local.get $d)
            (i32.popcnt (i32.xor (i32.load (local.get $qp)) (i32.load (local.get $cp))))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
        (local.set $rem (i32.sub (local.get $rem) (i32.const 1)))
        (br $words)))
    (local.get $d))
  (func (export "select")
    (param $q i32) (param $c i32) (param $nRows i32) (param $wpr i32) (param $limit i32) (param $out i32)
    (result i32)
    (local $chunks i32) (local $rem i32) (local $rowBytes i32) (local $r i32) (local $d i32) (local $count i32)
    (local $qp i32) (local $cp i32) (local $left i32) (local $remLeft i32) (local $n i32) (local $acc v128)
    (local.set $chunks (i32.shr_u (local.get $wpr) (i32.const 2)))
    (local.set $rem (i32.and (local.get $wpr) (i32.const 3)))
    (local.set $rowBytes (i32.shl (local.get $wpr) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        ;; distance of row r, inlined from $distance
        (local.set $qp (local.get $q))
        (local.set $cp (local.get $c))
        (local.set $left (local.get $chunks))
        (local.set $remLeft (local.get $rem))
        (local.set $d (i32.const 0))
        ;; Byte lanes of $acc count at most 8 bits a chunk, so they are widened every 31 chunks.
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.eqz (local.get $left)))
            (local.set $n
              (select (local.get $left) (i32.const 31) (i32.lt_u (local.get $left) (i32.const 31))))
            (local.set $left (i32.sub (local.get $left) (local.get $n)))
            (local.set $acc (v128.const i64x2 0 0))
            (loop $chunkLoop
              (local.set $acc
                (i8x16.add (local.get $acc)
                  (i8x16.popcnt (v128.xor (v128.load (local.get $qp)) (v128.load (local.get $cp))))))
              (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
              (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
              (br_if $chunkLoop (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.set $acc (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc))))
            (local.set $d
              (i32.add (local.get $d)
                (i32.add
                  (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                  (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
            (br $groups)))
        (block $wordsDone
          (loop $words
            (br_if $wordsDone (i32.eqz (local.get $remLeft)))
            (local.set $d
              (i32.add (local.get $d)
                (i32.popcnt (i32.xor (i32.load (local.get $qp)) (i32.load (local.get $cp))))))
            (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
            (local.set $remLeft (i32.sub (local.get $remLeft) (i32.const 1)))
            (br $words)))

        (if (i32.le_u (local.get $d) (local.get $limit))
          (then
            (i32.store (local.get $out) (local.get $r))
            (i32.store offset=4 (local.get $out) (local.get $d))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $count))
  (func (export "hamming")
    (param $q i32) (param $nq i32) (param $c i32) (param $nRows i32) (param $wpr i32) (param $out i32)
    (local $chunks i32) (local $rem i32) (local $rowBytes i32)
    (local $qi i32) (local $r i32) (local $qRow i32) (local $rowPtr i32)
    (local.set $chunks (i32.shr_u (local.get $wpr) (i32.const 2)))
    (local.set $rem (i32.and (local.get $wpr) (i32.const 3)))
    (local.set $rowBytes (i32.shl (local.get $wpr) (i32.const 2)))
    (block $queriesDone
      (loop $queries
        (br_if $queriesDone (i32.ge_u (local.get $qi) (local.get $nq)))
        (local.set $qRow (i32.add (local.get $q) (i32.mul (local.get $qi) (local.get $rowBytes))))
        (local.set $rowPtr (local.get $c))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
            (i32.store (local.get $out)
              (call $distance (local.get $qRow) (local.get $rowPtr) (local.get $chunks) (local.get $rem)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $rowPtr (i32.add (local.get $rowPtr) (local.get $rowBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $qi (i32.add (local.get $qi) (i32.const 1)))
        (br $queries))))
)

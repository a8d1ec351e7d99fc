;; Exact int8 dot products with WebAssembly SIMD. Hand-written; assembled into int8-dot-wasm.ts
;; by `node packages/core/scripts/build-wasm.mjs`.
;;
;; select(q, c, nRows, dims, limit, out) -> count: one query row of dims int8 codes at q
;; against nRows contiguous corpus rows at c; appends the pair (r, score) as two i32 to out for
;; every row whose exact integer dot product is >= limit (signed), and returns how many pairs
;; it wrote. 16 codes at a time are sign-extended to i16 and multiplied-added with
;; i32x4.dot_i16x8_s; the dims % 16 codes left over use scalar loads.
;;
;; dots(q, c, nRows, dims, out): every score of one query, as i32 at out (for tests).
(module
  (memory (export "memory") 1)
  (func $dot (param $qp i32) (param $cp i32) (param $dims i32) (result i32)
    (local $n i32) (local $acc v128) (local $a v128) (local $b v128) (local $s i32)
    (local.set $n (i32.shr_u (local.get $dims) (i32.const 4)))
    (block $chunksDone
      (br_if $chunksDone (i32.eqz (local.get $n)))
      (loop $chunks
        (local.set $a (v128.load (local.get $qp)))
        (local.set $b (v128.load (local.get $cp)))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.add
              (i32x4.dot_i16x8_s
                (i16x8.extend_low_i8x16_s (local.get $a)) (i16x8.extend_low_i8x16_s (local.get $b)))
              (i32x4.dot_i16x8_s
                (i16x8.extend_high_i8x16_s (local.get $a)) (i16x8.extend_high_i8x16_s (local.get $b))))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (br_if $chunks (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (local.set $s
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
    (local.set $n (i32.and (local.get $dims) (i32.const 15)))
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.eqz (local.get $n)))
        (local.set $s
          (i32.add (local.get $s)
            (i32.mul (i32.load8_s (local.get $qp)) (i32.load8_s (local.get $cp)))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 1)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $rest)))
    (local.get $s))
  (func (export "select")
    (param $q i32) (param $c i32) (param $nRows i32) (param $dims i32) (param $limit i32) (param $out i32)
    (result i32)
    (local $r i32) (local $s i32) (local $count i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $s (call $dot (local.get $q) (local.get $c) (local.get $dims)))
        (if (i32.ge_s (local.get $s) (local.get $limit))
          (then
            (i32.store (local.get $out) (local.get $r))
            (i32.store offset=4 (local.get $out) (local.get $s))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (local.get $dims)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $count))
  (func (export "dots") (param $q i32) (param $c i32) (param $nRows i32) (param $dims i32) (param $out i32)
    (local $r i32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (i32.store (local.get $out) (call $dot (local.get $q) (local.get $c) (local.get $dims)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $c (i32.add (local.get $c) (local.get $dims)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
)

;; Exact int8 dot products with WebAssembly SIMD and the top-k selected in the module.
;; Hand-written; assembled into int8-dot-wasm.ts by `node packages/core/scripts/build-wasm.mjs`.
;;
;; widen(q, dims, out): the query's dims codes sign-extended to i16 at out (rounded up to 16).
;; select(q16, c, nRows, dims, row0, skip, h): the widened query at q16 against nRows contiguous
;; corpus rows of dims codes at c (rows row0 ..): 16 codes at a time are sign-extended to i16 and
;; multiplied-added with i32x4.dot_i16x8_s, the dims % 16 codes left over use scalar loads; the
;; exact integer dot, rounded to f32 like the JavaScript kernel's Math.fround, is offered to heap
;; h when it beats its k-th key. skip: 0, or one byte a row at skip + r (not 0: skipped).
;;
;; dots(q, c, nRows, dims, out): every score of one query (not widened), as i32 at out (tests).
(module
  (memory (export "memory") 1)

;; #include topk-heap.wati

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
  (func (export "widen") (param $q i32) (param $dims i32) (param $out i32)
    (local $n i32)
    (local.set $n (i32.shr_u (i32.add (local.get $dims) (i32.const 15)) (i32.const 4)))
    (loop $chunks
      (v128.store (local.get $out) (i16x8.extend_low_i8x16_s (v128.load (local.get $q))))
      (v128.store offset=16 (local.get $out) (i16x8.extend_high_i8x16_s (v128.load (local.get $q))))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 32)))
      (br_if $chunks (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))

  (func (export "select")
    (param $q16 i32) (param $c i32) (param $nRows i32) (param $dims i32) (param $row0 i32) (param $skip i32)
    (param $h i32)
    (local $r i32) (local $n i32) (local $qp i32) (local $cp i32) (local $s i32) (local $acc v128) (local $x v128)
    (local $key f32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $qp (local.get $q16))
        (local.set $cp (local.get $c))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $n (i32.shr_u (local.get $dims) (i32.const 4)))
        (block $chunksDone
          (br_if $chunksDone (i32.eqz (local.get $n)))
          (loop $chunks
            (local.set $x (v128.load (local.get $cp)))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.add
                  (i32x4.dot_i16x8_s (v128.load (local.get $qp)) (i16x8.extend_low_i8x16_s (local.get $x)))
                  (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $qp)) (i16x8.extend_high_i8x16_s (local.get $x))))))
            (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
            (br_if $chunks (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
        (local.set $acc
          (i32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (local.set $s (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc))))
        (local.set $n (i32.and (local.get $dims) (i32.const 15)))
        (block $restDone
          (loop $rest
            (br_if $restDone (i32.eqz (local.get $n)))
            (local.set $s
              (i32.add (local.get $s) (i32.mul (i32.load16_s (local.get $qp)) (i32.load8_s (local.get $cp)))))
            (local.set $qp (i32.add (local.get $qp) (i32.const 2)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $rest)))
        (local.set $key (f32.convert_i32_s (local.get $s)))
        (if (f32.gt (local.get $key) (f32.load offset=8 (local.get $h)))
          (then
            (if (i32.or (i32.eqz (local.get $skip)) (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $r)))))
              (then (call $heapOffer (local.get $h) (local.get $key) (i32.add (local.get $row0) (local.get $r)))))))
        (local.set $c (i32.add (local.get $c) (local.get $dims)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
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

;; Float32 dot products with WebAssembly SIMD and the top-k selected in the module. Hand-written;
;; assembled into float-dot-wasm.ts by `node packages/core/scripts/build-wasm.mjs`.
;;
;; A row's key is exactly the JavaScript kernel's (dotAt): float64 arithmetic in four running sums
;; s0..s3 over elements i % 4 = 0..3, each product of two float32 values exact in float64, the
;; dims % 4 trailing products added to s0, result (s0 + s1) + (s2 + s3); times the f64 inverse norm
;; for cosine; rounded to f32. $dot computes it with f64x2 lanes laid out that way.
;;
;; select(q, c, nRows, dims, inv, row0, skip, err, h) -> row or -1: one query of dims float32 at q
;; against nRows contiguous rows at c (rows row0 ..). Each row is first scored in float32 SIMD
;; (four f32x4 sums, about four times cheaper than f64), together with A, the sum of the
;; products' magnitudes: the float64 key differs from that score by at most A * err (err, from the
;; caller, covers every rounding of both computations several times over) plus 1e-38 for
;; products that underflow. Only rows whose score plus that margin beats the heap's k-th key, or
;; that come near the float32 range, are scored exactly and offered to heap h; so the result
;; equals scoring every row exactly. inv: 0, or the f64 inverse norms of the rows at inv + 8 * r.
;; skip: 0, or one byte a row at skip + r (not 0: skipped). Returns row0 + r of the first row
;; whose exact key is not finite (NaN or Infinity in the data), else -1.
(module
  (memory (export "memory") 1)

;; #include topk-heap.wati

  (func $dot (param $qp i32) (param $cp i32) (param $dims i32) (result f64)
    (local $n i32) (local $a v128) (local $b v128) (local $s01 v128) (local $s23 v128) (local $s0 f64)
    (local.set $n (i32.shr_u (local.get $dims) (i32.const 2)))
    (block $quadsDone
      (br_if $quadsDone (i32.eqz (local.get $n)))
      (loop $quads
        (local.set $a (v128.load (local.get $qp)))
        (local.set $b (v128.load (local.get $cp)))
        (local.set $s01
          (f64x2.add (local.get $s01)
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $a)) (f64x2.promote_low_f32x4 (local.get $b)))))
        (local.set $s23
          (f64x2.add (local.get $s23)
            (f64x2.mul
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a) (local.get $a)))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $b) (local.get $b))))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
        (br_if $quads (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $s01)))
    (local.set $n (i32.and (local.get $dims) (i32.const 3)))
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.eqz (local.get $n)))
        (local.set $s0
          (f64.add (local.get $s0)
            (f64.mul (f64.promote_f32 (f32.load (local.get $qp))) (f64.promote_f32 (f32.load (local.get $cp))))))
        (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
        (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $rest)))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $s01)))
      (f64.add (f64x2.extract_lane 0 (local.get $s23)) (f64x2.extract_lane 1 (local.get $s23)))))
  (func (export "select")
    (param $q i32) (param $c i32) (param $nRows i32) (param $dims i32) (param $inv i32) (param $row0 i32)
    (param $skip i32) (param $err f32) (param $h i32) (result i32)
    (local $r i32) (local $n i32) (local $qp i32) (local $cp i32) (local $rowBytes i32)
    (local $sum v128) (local $mag v128) (local $prod v128)
    (local $approx f32) (local $margin f32) (local $w f32) (local $t f32) (local $exact f64) (local $key f32)
    (local.set $rowBytes (i32.shl (local.get $dims) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (if (i32.or (i32.eqz (local.get $skip)) (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $r)))))
          (then
            (local.set $sum (v128.const i64x2 0 0))
            (local.set $mag (v128.const i64x2 0 0))
            (local.set $qp (local.get $q))
            (local.set $cp (local.get $c))
            (local.set $n (i32.shr_u (local.get $dims) (i32.const 2)))
            (block $quadsDone
              (br_if $quadsDone (i32.eqz (local.get $n)))
              (loop $quads
                (local.set $prod (f32x4.mul (v128.load (local.get $qp)) (v128.load (local.get $cp))))
                (local.set $sum (f32x4.add (local.get $sum) (local.get $prod)))
                (local.set $mag (f32x4.add (local.get $mag) (f32x4.abs (local.get $prod))))
                (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
                (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
                (br_if $quads (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
            (local.set $sum
              (f32x4.add (local.get $sum) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $sum) (local.get $sum))))
            (local.set $mag
              (f32x4.add (local.get $mag) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mag) (local.get $mag))))
            (local.set $approx (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum))))
            (local.set $margin (f32.add (f32x4.extract_lane 0 (local.get $mag)) (f32x4.extract_lane 1 (local.get $mag))))
            (local.set $n (i32.and (local.get $dims) (i32.const 3)))
            (block $restDone
              (loop $rest
                (br_if $restDone (i32.eqz (local.get $n)))
                (local.set $t (f32.mul (f32.load (local.get $qp)) (f32.load (local.get $cp))))
                (local.set $approx (f32.add (local.get $approx) (local.get $t)))
                (local.set $margin (f32.add (local.get $margin) (f32.abs (local.get $t))))
                (local.set $qp (i32.add (local.get $qp) (i32.const 4)))
                (local.set $cp (i32.add (local.get $cp) (i32.const 4)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $rest)))
            (local.set $margin (f32.add (f32.mul (local.get $margin) (local.get $err)) (f32.const 1e-38)))
            (if (local.get $inv)
              (then
                (local.set $w (f32.demote_f64 (f64.load (i32.add (local.get $inv) (i32.shl (local.get $r) (i32.const 3))))))
                (local.set $approx (f32.mul (local.get $approx) (local.get $w)))
                (local.set $margin (f32.mul (local.get $margin) (local.get $w)))))
            (if (i32.or
                  (f32.gt (f32.add (local.get $approx) (local.get $margin)) (f32.load offset=8 (local.get $h)))
                  (i32.eqz (f32.lt (f32.add (f32.abs (local.get $approx)) (local.get $margin)) (f32.const 1e37))))
              (then
                (local.set $exact (call $dot (local.get $q) (local.get $c) (local.get $dims)))
                (if (local.get $inv)
                  (then
                    (local.set $exact
                      (f64.mul (local.get $exact) (f64.load (i32.add (local.get $inv) (i32.shl (local.get $r) (i32.const 3))))))))
                (local.set $key (f32.demote_f64 (local.get $exact)))
                (if (f32.ne (f32.sub (local.get $key) (local.get $key)) (f32.const 0))
                  (then (return (i32.add (local.get $row0) (local.get $r)))))
                (if (f32.gt (local.get $key) (f32.load offset=8 (local.get $h)))
                  (then (call $heapOffer (local.get $h) (local.get $key) (i32.add (local.get $row0) (local.get $r)))))))))
        (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (i32.const -1))
)

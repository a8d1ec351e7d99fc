;; Float32 dot products with WebAssembly SIMD, in float64 arithmetic laid out exactly like the
;; JavaScript kernel (dotAt): four running sums s0..s3 over elements i % 4 = 0..3, each product
;; of two float32 values exact in float64, the dims % 4 trailing products added to s0, result
;; (s0 + s1) + (s2 + s3). So scores are bit-identical to JavaScript. Hand-written; assembled into
;; float-dot-wasm.ts by `node packages/core/scripts/build-wasm.mjs`.
;;
;; select(q, c, nRows, dims, inv, limit, out) -> count: one query of dims float32 at q against
;; nRows contiguous rows at c. The score, times the f64 at inv + 8 * r when inv is not 0,
;; rounded to f32, is reported as (r, score bits) when it is > limit or not finite.
(module
  (memory (export "memory") 1)
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
    (param $q i32) (param $c i32) (param $nRows i32) (param $dims i32) (param $inv i32) (param $limit f32)
    (param $out i32) (result i32)
    (local $r i32) (local $s f64) (local $key f32) (local $count i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $dims) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $s (call $dot (local.get $q) (local.get $c) (local.get $dims)))
        (if (local.get $inv)
          (then
            (local.set $s
              (f64.mul (local.get $s)
                (f64.load (i32.add (local.get $inv) (i32.shl (local.get $r) (i32.const 3))))))))
        (local.set $key (f32.demote_f64 (local.get $s)))
        (if (i32.or
              (f32.gt (local.get $key) (local.get $limit))
              (f32.ne (f32.sub (local.get $key) (local.get $key)) (f32.const 0)))
          (then
            (i32.store (local.get $out) (local.get $r))
            (f32.store offset=4 (local.get $out) (local.get $key))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $count))
)

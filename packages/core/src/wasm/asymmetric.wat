;; Table-driven asymmetric binary scoring. Hand-written; assembled into asymmetric-wasm.ts by
;; `node packages/core/scripts/build-wasm.mjs`.
;;
;; select(t, c, nRows, wpr, inv, limit, out) -> count: t holds one query's tables, 256 f32 a
;; byte position (wpr * 4 positions); c holds nRows packed rows of wpr words. The score of a row
;; is the f64 sum over its words of ((t[b0] + t[b1]) + t[b2]) + t[b3] (the word's four bytes,
;; low first), multiplied by the f64 at inv + 8 * r when inv is not 0, then rounded to f32 --
;; exactly the JavaScript kernel's arithmetic. Appends (r, score as f32 bits) for every row
;; whose score is > limit and returns how many pairs it wrote.
(module
  (memory (export "memory") 1)
  (func (export "select")
    (param $t i32) (param $c i32) (param $nRows i32) (param $wpr i32) (param $inv i32) (param $limit f32)
    (param $out i32) (result i32)
    (local $r i32) (local $w i32) (local $x i32) (local $tp i32) (local $count i32)
    (local $s f64) (local $key f32)
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $nRows)))
        (local.set $s (f64.const 0))
        (local.set $tp (local.get $t))
        (local.set $w (local.get $wpr))
        (loop $words
          (local.set $x (i32.load (local.get $c)))
          (local.set $s
            (f64.add (local.get $s)
              (f64.add
                (f64.add
                  (f64.add
                    (f64.promote_f32 (f32.load
                      (i32.add (local.get $tp) (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2)))))
                    (f64.promote_f32 (f32.load offset=1024
                      (i32.add (local.get $tp)
                        (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)) (i32.const 2))))))
                  (f64.promote_f32 (f32.load offset=2048
                    (i32.add (local.get $tp)
                      (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)) (i32.const 2))))))
                (f64.promote_f32 (f32.load offset=3072
                  (i32.add (local.get $tp) (i32.shl (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 2))))))))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (local.set $tp (i32.add (local.get $tp) (i32.const 4096)))
          (br_if $words (local.tee $w (i32.sub (local.get $w) (i32.const 1)))))
        (if (local.get $inv)
          (then
            (local.set $s
              (f64.mul (local.get $s)
                (f64.load (i32.add (local.get $inv) (i32.shl (local.get $r) (i32.const 3))))))))
        (local.set $key (f32.demote_f64 (local.get $s)))
        (if (f32.gt (local.get $key) (local.get $limit))
          (then
            (i32.store (local.get $out) (local.get $r))
            (f32.store offset=4 (local.get $out) (local.get $key))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.get $count))
)

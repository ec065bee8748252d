;; Fused kernels for the wasm backend, run in place on tfjs-backend-wasm's own memory.
;;
;; Every pointer is a byte offset into that memory (a tensor's `memoryOffset`), every array is
;; float32. Each function does in one pass what tfjs does in a chain of kernels, with the same
;; float32 operations in the same order, so its results equal the chain's bit for bit
;; (tests/unit/wasm-fused.test.mjs). Compiled to fused.wasm by `npm run build` (bin/build-wasm.mjs).
(module
  (import "tfjs" "memory" (memory 0))

  ;; One Adam step for one variable (tfjs AdamOptimizer.applyGradients, Kingma & Ba 2015):
  ;;   m' = m·β1 + g·(1−β1)
  ;;   v' = v·β2 + g²·(1−β2)
  ;;   p' = ((m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε))·(−lr) + p
  ;; reading p, m, v, g and writing p', m', v' to three other arrays of n floats.
  (func (export "adamUpdate")
    (param $p i32) (param $m i32) (param $v i32) (param $g i32)
    (param $pOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $oneMinusBeta1Pow f32) (param $oneMinusBeta2Pow f32) (param $eps f32) (param $negLr f32)
    (local $i i32) (local $bytes i32) (local $end4 i32)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $B1 v128) (local $C1 v128) (local $B2 v128) (local $C2 v128)
    (local $P1 v128) (local $P2 v128) (local $E v128) (local $L v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $B1 (f32x4.splat (local.get $beta1)))
    (local.set $C1 (f32x4.splat (local.get $oneMinusBeta1)))
    (local.set $B2 (f32x4.splat (local.get $beta2)))
    (local.set $C2 (f32x4.splat (local.get $oneMinusBeta2)))
    (local.set $P1 (f32x4.splat (local.get $oneMinusBeta1Pow)))
    (local.set $P2 (f32x4.splat (local.get $oneMinusBeta2Pow)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $L (f32x4.splat (local.get $negLr)))
    ;; four floats at a time
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $g4 (v128.load align=4 (i32.add (local.get $g) (local.get $i))))
        (local.set $m4
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $i))) (local.get $B1))
            (f32x4.mul (local.get $g4) (local.get $C1))))
        (local.set $v4
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $i))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (local.get $C2))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $i)) (local.get $m4))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $i)) (local.get $v4))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m4) (local.get $P1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v4) (local.get $P2))) (local.get $E)))
              (local.get $L))
            (v128.load align=4 (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    ;; the last n mod 4 floats, one at a time
    (block $doneTail
      (loop $nextTail
        (br_if $doneTail (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $beta1))
            (f32.mul (local.get $gs) (local.get $oneMinusBeta1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $i))) (local.get $beta2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $oneMinusBeta2))))
        (f32.store (i32.add (local.get $mOut) (local.get $i)) (local.get $ms))
        (f32.store (i32.add (local.get $vOut) (local.get $i)) (local.get $vs))
        (f32.store (i32.add (local.get $pOut) (local.get $i))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $oneMinusBeta1Pow))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $oneMinusBeta2Pow))) (local.get $eps)))
              (local.get $negLr))
            (f32.load (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $nextTail)))))

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
        (br $nextTail))))

  ;; The geometry of a 2-D convolution, NHWC: input N×H×W×C, output N×OH×OW, window KH×KW,
  ;; strides SH, SW, dilations DH, DW, padding top/left. M = N·OH·OW output positions,
  ;; K = KH·KW·C values per window.

  ;; im2col, written transposed (K × M):
  ;;   colsT[(i·KW + j)·C + c, m] = x[n, oy·SH + i·DH − top, ox·SW + j·DW − left, c]
  ;; for output position m = (n, oy, ox), and 0 where the window hangs over the padding.
  ;; The innermost loop runs along an output row (ox), so each store continues the last one's
  ;; row of colsT: one pass over channel c writes OW consecutive floats, and the input row it
  ;; reads (W·C floats) stays in cache for all C passes. (Innermost over c, every store landed
  ;; M floats from the previous one: 3× slower on a 64×28×28×32 input.)
  (func (export "im2colTransposed")
    (param $x i32) (param $colsT i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $DH i32) (param $DW i32)
    (param $top i32) (param $left i32)
    (local $rowBytes i32) (local $i i32) (local $j i32) (local $k0 i32) (local $m i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $iy i32) (local $ix i32)
    (local $c i32) (local $rowBase i32) (local $dst i32) (local $pixelBytes i32)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $N) (i32.mul (local.get $OH) (local.get $OW))) (i32.const 2)))
    (local.set $pixelBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $i (i32.const 0))
    (loop $rowsI
      (local.set $j (i32.const 0))
      (loop $rowsJ
        (local.set $k0 (i32.mul (i32.add (i32.mul (local.get $i) (local.get $KW)) (local.get $j)) (local.get $C)))
        (local.set $m (i32.const 0))
        (local.set $n (i32.const 0))
        (loop $batch
          (local.set $oy (i32.const 0))
          (loop $outY
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $SH)) (i32.mul (local.get $i) (local.get $DH))) (local.get $top)))
            (local.set $c (i32.const 0))
            (loop $channel
              ;; &colsT[k0 + c, m]: the start of this output row's OW values
              (local.set $dst (i32.add (local.get $colsT)
                (i32.add (i32.mul (i32.add (local.get $k0) (local.get $c)) (local.get $rowBytes)) (i32.shl (local.get $m) (i32.const 2)))))
              (if (i32.ge_u (local.get $iy) (local.get $H))
                (then ;; the whole output row reads padding (a negative index is a large unsigned one)
                  (memory.fill (local.get $dst) (i32.const 0) (i32.shl (local.get $OW) (i32.const 2))))
                (else
                  ;; &x[n, iy, 0, c]
                  (local.set $rowBase (i32.add (local.get $x) (i32.shl
                    (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $C)) (local.get $c))
                    (i32.const 2))))
                  (local.set $ox (i32.const 0))
                  (loop $outX
                    (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $SW)) (i32.mul (local.get $j) (local.get $DW))) (local.get $left)))
                    (if (i32.ge_u (local.get $ix) (local.get $W))
                      (then (f32.store (local.get $dst) (f32.const 0)))
                      (else (f32.store (local.get $dst)
                        (f32.load (i32.add (local.get $rowBase) (i32.mul (local.get $ix) (local.get $pixelBytes)))))))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (br_if $outX (i32.lt_u (local.tee $ox (i32.add (local.get $ox) (i32.const 1))) (local.get $OW))))))
              (br_if $channel (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $C))))
            (local.set $m (i32.add (local.get $m) (local.get $OW)))
            (br_if $outY (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $OH))))
          (br_if $batch (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get $N))))
        (br_if $rowsJ (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $KW))))
      (br_if $rowsI (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $KH)))))

  ;; col2im, the adjoint of im2col: from dcols (M × K, one window per row)
  ;;   dx[n, iy, ix, c] = Σ over the windows (m; i, j) covering it of dcols[m, (i·KW + j)·C + c]
  ;; summed in the order m, i, j (as the JavaScript loop it replaces), four channels at a time.
  (func (export "col2im")
    (param $dcols i32) (param $dx i32)
    (param $N i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $SH i32) (param $SW i32) (param $DH i32) (param $DW i32)
    (param $top i32) (param $left i32)
    (local $row i32) (local $n i32) (local $oy i32) (local $ox i32) (local $i i32) (local $j i32)
    (local $iy i32) (local $ix i32) (local $src i32) (local $dst i32) (local $end i32) (local $end4 i32)
    (local $windowBytes i32) (local $channelBytes i32)
    (local.set $channelBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $windowBytes (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $channelBytes)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.mul (i32.mul (i32.mul (local.get $N) (local.get $H)) (local.get $W)) (local.get $channelBytes)))
    (local.set $row (local.get $dcols))
    (local.set $n (i32.const 0))
    (loop $batch
      (local.set $oy (i32.const 0))
      (loop $outY
        (local.set $ox (i32.const 0))
        (loop $outX
          (local.set $i (i32.const 0))
          (loop $winI
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $SH)) (i32.mul (local.get $i) (local.get $DH))) (local.get $top)))
            (if (i32.lt_u (local.get $iy) (local.get $H))
              (then
                (local.set $j (i32.const 0))
                (loop $winJ
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $SW)) (i32.mul (local.get $j) (local.get $DW))) (local.get $left)))
                  (if (i32.lt_u (local.get $ix) (local.get $W))
                    (then
                      (local.set $src (i32.add (local.get $row)
                        (i32.mul (i32.add (i32.mul (local.get $i) (local.get $KW)) (local.get $j)) (local.get $channelBytes))))
                      (local.set $dst (i32.add (local.get $dx) (i32.mul
                        (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix))
                        (local.get $channelBytes))))
                      (local.set $end (i32.add (local.get $dst) (local.get $channelBytes)))
                      (local.set $end4 (i32.sub (local.get $end) (i32.and (local.get $channelBytes) (i32.const 15))))
                      (block $done4
                        (loop $add4
                          (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
                          (v128.store align=4 (local.get $dst)
                            (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $src))))
                          (local.set $src (i32.add (local.get $src) (i32.const 16)))
                          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                          (br $add4)))
                      (block $done1
                        (loop $add1
                          (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
                          (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
                          (local.set $src (i32.add (local.get $src) (i32.const 4)))
                          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                          (br $add1)))))
                  (br_if $winJ (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $KW))))))
            (br_if $winI (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $KH))))
          (local.set $row (i32.add (local.get $row) (local.get $windowBytes)))
          (br_if $outX (i32.lt_u (local.tee $ox (i32.add (local.get $ox) (i32.const 1))) (local.get $OW))))
        (br_if $outY (i32.lt_u (local.tee $oy (i32.add (local.get $oy) (i32.const 1))) (local.get $OH))))
      (br_if $batch (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (local.get $N)))))

  ;; The column sums of a rows × cols matrix, rows in order (a bias's gradient: dy summed over
  ;; every axis but the last):  out[c] = Σ_r x[r, c].  Four columns at a time, row after row, so
  ;; x is read once, in order (tfjs' Sum transposes the whole of x first).
  (func (export "sumOverRows")
    (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $rowBytes i32) (local $end4 i32) (local $r i32) (local $c i32) (local $row i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $rowBytes) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $rowBytes))
    (local.set $row (local.get $x))
    (block $done
      (loop $nextRow
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $done4
          (loop $add4
            (br_if $done4 (i32.ge_u (local.get $c) (local.get $end4)))
            (v128.store align=4 (i32.add (local.get $out) (local.get $c))
              (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $c)))
                         (v128.load align=4 (i32.add (local.get $row) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $add4)))
        (block $done1
          (loop $add1
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $rowBytes)))
            (f32.store (i32.add (local.get $out) (local.get $c))
              (f32.add (f32.load (i32.add (local.get $out) (local.get $c)))
                       (f32.load (i32.add (local.get $row) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $add1)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $nextRow)))))


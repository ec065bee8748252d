// Child process of gemm.test.mjs: seeded matrix products on the wasm backend (one thread, as
// the environment sets), printed as one JSON line of base64 float32 results. The parent runs it
// with kernel-utils' GEMM (plain, or relaxed with --experimental-wasm-relaxed-simd) and with
// XNNPACK (BOOK_WASM_GEMM=0), and the cpu backend for reference (argv[2] = 'cpu').
import { ku, tf } from '../helpers.mjs';

// [M, K, N, batchA, batchB, transposeA, transposeB, bias, activation]
export const CASES = [
  [128, 784, 512, 1, 1, false, false, false, 'linear'],
  [128, 512, 784, 1, 1, false, true, false, 'linear'],
  [512, 128, 784, 1, 1, true, false, false, 'linear'],
  [37, 45, 29, 1, 1, false, false, false, 'linear'], // odd sizes: partial tiles and panels
  [64, 300, 13, 1, 1, false, false, true, 'relu'], // a dense layer with bias and relu
  [33, 70, 100, 1, 1, false, false, true, 'linear'],
  [50, 64, 64, 1, 1, false, false, true, 'relu6'],
  [20, 30, 40, 3, 3, false, false, false, 'linear'], // batched
  [20, 30, 40, 4, 1, false, false, false, 'linear'], // b broadcast over the batch
  [16, 600, 40, 1, 1, false, false, false, 'linear'], // K over two cache blocks
];

const backendName = process.argv[2] ?? 'wasm';
await ku.initBackend(backendName);
const results = CASES.map(([M, K, N, ba, bb, tA, tB, bias, activation], i) =>
  tf.tidy(() => {
    const a = tf.randomNormal(tA ? [ba, K, M] : [ba, M, K], 0, 1, 'float32', 10 + i);
    const b = tf.randomNormal(tB ? [bb, N, K] : [bb, K, N], 0, 1, 'float32', 50 + i);
    const [a2, b2] = ba === 1 && bb === 1 ? [a.squeeze([0]), b.squeeze([0])] : [a, b];
    const c = bias
      ? tf.fused.matMul({
          a: a2,
          b: b2,
          transposeA: tA,
          transposeB: tB,
          bias: tf.randomNormal([N], 0, 1, 'float32', 90 + i),
          activation,
        })
      : tf.matMul(a2, b2, tA, tB);
    return Buffer.from(c.dataSync().buffer).toString('base64');
  }),
);
console.log(JSON.stringify({ backend: backendName, numTensors: tf.memory().numTensors, results }));

// One benchmark measurement: `node bench-worker.mjs <workload> <backend>` prints one JSON line.
// Run by bench.mjs, one process per (workload, backend), so every backend starts clean.
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');

const BATCH = 128;

// The three workloads of issue #3, defined identically in bench_torch.py.
export const WORKLOADS = {
  // 784-512-4-512-784, ReLU, sigmoid cross-entropy, Adam
  'mlp-autoencoder': () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 4 }),
        tf.layers.dense({ units: 512, activation: 'relu' }),
        tf.layers.dense({ units: 784 }),
      ],
    });
    const x = tf.randomUniform([BATCH, 784], 0, 1, 'float32', 1);
    return { model, loss: () => tf.losses.sigmoidCrossEntropy(x, model.apply(x)) };
  },
  // conv(32,3×3,s2,same,ReLU)-conv(64,3×3,s2,same,ReLU)-flatten-dense(10), softmax CE, Adam
  'cnn-classifier': () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 32,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.conv2d({
          filters: 64,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 }),
      ],
    });
    const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 3), 10);
    return { model, loss: () => tf.losses.softmaxCrossEntropy(y, model.apply(x)) };
  },
  // DCGAN-style generator: 100 → 7×7×64 → 14×14×32 → 28×28×1 (5×5 transposed convs, stride 2), MSE, Adam
  'conv-decoder': () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [100], units: 7 * 7 * 64, activation: 'relu' }),
        tf.layers.reshape({ targetShape: [7, 7, 64] }),
        tf.layers.conv2dTranspose({
          filters: 32,
          kernelSize: 5,
          strides: 2,
          padding: 'same',
          activation: 'relu',
        }),
        tf.layers.conv2dTranspose({
          filters: 1,
          kernelSize: 5,
          strides: 2,
          padding: 'same',
          activation: 'sigmoid',
        }),
      ],
    });
    const z = tf.randomNormal([BATCH, 100], 0, 1, 'float32', 4);
    const target = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 5);
    return { model, loss: () => tf.losses.meanSquaredError(target, model.apply(z)) };
  },
};

async function main() {
  const [workload, backend] = process.argv.slice(2);
  if (!WORKLOADS[workload]) throw new Error(`unknown workload ${workload}`);
  const prefer = backend === 'wasm-as-shipped' ? 'wasm' : backend;
  const report = await ku.initBackend(prefer);
  ku.seedEverything(0);
  const { model, loss } = WORKLOADS[workload]();
  const optimizer = tf.train.adam(1e-3);
  const step = () => tf.tidy(() => optimizer.minimize(loss, true).dataSync()[0]);
  const warmup = Number(process.env.BENCH_WARMUP ?? 3);
  const minSeconds = Number(process.env.BENCH_SECONDS ?? 3);
  for (let i = 0; i < warmup; i++) {
    const l = step();
    if (!Number.isFinite(l)) throw new Error(`loss ${l} during warm-up`);
  }
  let steps = 0;
  const t0 = performance.now();
  while (steps < 5 || (performance.now() - t0) / 1000 < minSeconds) {
    step();
    steps++;
    if (steps >= 200) break;
  }
  const ms = (performance.now() - t0) / steps;
  console.log(
    JSON.stringify({
      workload,
      backend,
      samplesPerSec: Math.round((BATCH * 1000) / ms),
      msPerStep: +ms.toFixed(2),
      steps,
      providedBy: report.providedBy,
    }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e.message.split('\n').slice(0, 3).join(' '));
    process.exit(1);
  });
}

// One benchmark measurement: `node bench-worker.mjs <workload> <backend> [label]` prints one JSON
// line; `label` (default: the backend) names the row, e.g. wasm-2threads for backend wasm run with
// BOOK_WASM_THREADS=2. Run by bench.mjs, one process per (workload, backend), so every backend
// starts clean.
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');

const BATCH = 128;

// Weights of the workloads written as functions over tf.variable (PixelCNN, U-Net): PyTorch's
// default initialisation, U(±1/√fan_in) for kernels and biases, as in bench_torch.py.
let initSeed = 100;
const param = (shape, fanIn) =>
  tf.variable(
    tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', initSeed++),
  );
const convParams = (k, cin, cout) => ({
  w: param([k, k, cin, cout], k * k * cin),
  b: param([cout], k * k * cin),
});
// Stride-1 convolutions pad 'same' (= PyTorch's padding k//2 for odd k); `mask` multiplies the
// kernel inside the forward pass, so its gradient is masked too.
const conv = (x, p, { strides = 1, pad = 'same', mask } = {}) =>
  tf.fused.conv2d({ x, filter: mask ? p.w.mul(mask) : p.w, strides, pad, bias: p.b });
const denseParams = (i, o) => ({ w: param([i, o], i), b: param([o], i) });
const dense = (x, p) => tf.fused.matMul({ a: x, b: p.w, bias: p.b });
const silu = (x) => x.mul(tf.sigmoid(x));
// GroupNorm (tfjs has no layer for it): per sample and group of channels, over H, W and the
// group's channels, then a per-channel affine; eps 1e-5 as torch.nn.GroupNorm.
const GROUPS = 8;
const groupNormParams = (c) => ({
  gamma: tf.variable(tf.ones([c])),
  beta: tf.variable(tf.zeros([c])),
});
const groupNorm = (x, p) => {
  const [n, h, w, c] = x.shape;
  const xg = x.reshape([n, h, w, GROUPS, c / GROUPS]);
  const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
  const xn = xg.sub(mean).mul(variance.add(1e-5).rsqrt()).reshape([n, h, w, c]);
  return xn.mul(p.gamma).add(p.beta);
};
// PixelCNN's raster-order masks over a k×k kernel [k, k, cin, cout]: type A excludes the centre
// pixel, type B includes it.
const pixelMask = (k, cin, cout, type) => {
  const c = (k - 1) / 2;
  return tf.tidy(() =>
    tf
      .tensor2d(
        Array.from({ length: k }, (_, i) =>
          Array.from({ length: k }, (_, j) =>
            i < c || (i === c && (type === 'B' ? j <= c : j < c)) ? 1 : 0,
          ),
        ),
      )
      .reshape([k, k, 1, 1])
      .tile([1, 1, cin, cout]),
  );
};

// The three workloads of issue #3 and the book's two heaviest models, defined identically in
// bench_torch.py. Each returns { model?, loss, batch }: `loss` is what optimizer.minimize trains
// (all trainable variables), `batch` the samples per step.
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
    return {
      model,
      loss: () => tf.losses.sigmoidCrossEntropy(x, model.apply(x)),
      batch: BATCH,
    };
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
    return {
      model,
      loss: () => tf.losses.softmaxCrossEntropy(y, model.apply(x)),
      batch: BATCH,
    };
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
    return {
      model,
      loss: () => tf.losses.meanSquaredError(target, model.apply(z)),
      batch: BATCH,
    };
  },
  // PixelCNN on 28×28×1 binary images: 7×7 type-A masked conv 1→32, 5 residual blocks
  // h + ReLU(3×3 type-B masked conv 32→32), then ReLU(1×1 conv 32→32) and a 1×1 conv to one
  // Bernoulli logit per pixel; sigmoid CE (mean) against the input, Adam, batch 64.
  // 48,929 parameters: 1,600 + 5 × 9,248 + head 1,056 + 33 (the head's width, 32, is what
  // gives the reference model's 48,929).
  pixelcnn: () => {
    const batch = 64;
    const inConv = convParams(7, 1, 32);
    const maskA = pixelMask(7, 1, 32, 'A');
    const blocks = Array.from({ length: 5 }, () => convParams(3, 32, 32));
    const maskB = pixelMask(3, 32, 32, 'B');
    const head = convParams(1, 32, 32);
    const out = convParams(1, 32, 1);
    const x = tf.tidy(() =>
      tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 6).less(0.5).toFloat(),
    );
    const logits = (x) => {
      let h = conv(x, inConv, { mask: maskA });
      for (const b of blocks) h = h.add(tf.relu(conv(h, b, { mask: maskB })));
      return conv(tf.relu(conv(h, head)), out);
    };
    return { loss: () => tf.losses.sigmoidCrossEntropy(x, logits(x)), batch };
  },
  // DDPM ε-prediction U-Net on 28×28×1, channels 32/64, one down/up level. Residual blocks (RB):
  // GN-SiLU-conv3×3, + Linear(SiLU(t_emb)), GN-SiLU-conv3×3, + x (a 1×1 conv when the channels
  // change); GroupNorm with 8 groups. t_emb: 128-d sinusoidal → Linear-SiLU-Linear (128).
  // Layout: conv 1→32, RB 32 (skip) | conv3×3 s2 32→32, RB 32→64, RB 64 | convT 2×2 s2 64→64,
  // concat skip, RB 96→32, RB 32 | GN-SiLU-conv 32→1. 297,665 parameters in both frameworks.
  // Loss: MSE(ε, ε̂(√ᾱ_t x0 + √(1−ᾱ_t) ε, t)), t uniform in 1..1000, linear β 1e-4…0.02;
  // t and ε are drawn anew each step. Adam, batch 128.
  'diffusion-unet': () => {
    const batch = 128;
    const T = 1000;
    const E = 128;
    let alphaBar = 1;
    const ab = Array.from(
      { length: T },
      (_, i) => (alphaBar *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / (T - 1))),
    );
    const sqrtAb = tf.tensor1d(ab.map(Math.sqrt));
    const sqrt1mAb = tf.tensor1d(ab.map((a) => Math.sqrt(1 - a)));
    // Row i of the table is the sinusoidal embedding of timestep t = i + 1.
    const freqs = Array.from({ length: E / 2 }, (_, i) =>
      Math.exp((-Math.log(10000) * i) / (E / 2)),
    );
    const embTable = tf.tensor2d(
      Array.from({ length: T }, (_, i) => [
        ...freqs.map((f) => Math.sin((i + 1) * f)),
        ...freqs.map((f) => Math.cos((i + 1) * f)),
      ]),
    );
    const resBlock = (cin, cout) => ({
      norm1: groupNormParams(cin),
      conv1: convParams(3, cin, cout),
      temb: denseParams(E, cout),
      norm2: groupNormParams(cout),
      conv2: convParams(3, cout, cout),
      skip: cin === cout ? null : convParams(1, cin, cout),
    });
    const res = (x, p, tAct) => {
      const cout = p.conv1.b.shape[0];
      let h = conv(silu(groupNorm(x, p.norm1)), p.conv1);
      h = h.add(dense(tAct, p.temb).reshape([x.shape[0], 1, 1, cout]));
      h = conv(silu(groupNorm(h, p.norm2)), p.conv2);
      return h.add(p.skip ? conv(x, p.skip) : x);
    };
    const W = {
      t1: denseParams(E, E),
      t2: denseParams(E, E),
      inConv: convParams(3, 1, 32),
      rb1: resBlock(32, 32),
      down: convParams(3, 32, 32),
      rb2: resBlock(32, 64),
      rb3: resBlock(64, 64),
      // conv2dTranspose's kernel is [k, k, out, in]
      up: { w: param([2, 2, 64, 64], 2 * 2 * 64), b: param([64], 2 * 2 * 64) },
      rb4: resBlock(96, 32),
      rb5: resBlock(32, 32),
      outNorm: groupNormParams(32),
      outConv: convParams(3, 32, 1),
    };
    const unet = (x, emb) => {
      const tAct = silu(dense(silu(dense(emb, W.t1)), W.t2));
      const skip = res(conv(x, W.inConv), W.rb1, tAct);
      // pad 1 on every side, as PyTorch's Conv2d(padding=1): 28 → 14
      let h = conv(skip, W.down, { strides: 2, pad: 1 });
      h = res(res(h, W.rb2, tAct), W.rb3, tAct);
      h = tf.conv2dTranspose(h, W.up.w, [x.shape[0], 28, 28, 64], 2, 'valid').add(W.up.b);
      h = res(res(tf.concat([h, skip], 3), W.rb4, tAct), W.rb5, tAct);
      return conv(silu(groupNorm(h, W.outNorm)), W.outConv);
    };
    const x0 = tf.randomUniform([batch, 28, 28, 1], -1, 1, 'float32', 7);
    return {
      loss: () => {
        // t − 1, uniform in 0..999
        const idx = tf.randomUniform([batch], 0, T, 'int32');
        const eps = tf.randomNormal([batch, 28, 28, 1]);
        const xt = x0
          .mul(tf.gather(sqrtAb, idx).reshape([batch, 1, 1, 1]))
          .add(eps.mul(tf.gather(sqrt1mAb, idx).reshape([batch, 1, 1, 1])));
        return tf.losses.meanSquaredError(eps, unet(xt, tf.gather(embTable, idx)));
      },
      batch,
    };
  },
};

// What optimizer.minimize trains when given no variable list: every trainable variable.
const trainableParams = () =>
  Object.values(tf.engine().registeredVariables)
    .filter((v) => v.trainable)
    .reduce((n, v) => n + v.size, 0);

async function main() {
  const [workload, backend, label = backend] = process.argv.slice(2);
  if (!WORKLOADS[workload]) throw new Error(`unknown workload ${workload}`);
  const prefer = backend === 'wasm-as-shipped' ? 'wasm' : backend;
  const report = await ku.initBackend(prefer);
  ku.seedEverything(0);
  const { loss, batch } = WORKLOADS[workload]();
  const paramCount = trainableParams();
  const optimizer = tf.train.adam(1e-3);
  // the loss is read asynchronously (on every backend alike): tfjs' webgpu backend cannot read
  // synchronously in Node
  const step = async () => {
    const l = tf.tidy(() => optimizer.minimize(loss, true));
    const v = (await l.data())[0];
    l.dispose();
    return v;
  };
  const warmup = Number(process.env.BENCH_WARMUP ?? 3);
  const minSeconds = Number(process.env.BENCH_SECONDS ?? 3);
  // at least this many timed steps (the smoke tests ask for 1: a U-Net step takes seconds)
  const minSteps = Number(process.env.BENCH_MIN_STEPS ?? 5);
  for (let i = 0; i < warmup; i++) {
    const l = await step();
    if (!Number.isFinite(l)) throw new Error(`loss ${l} during warm-up`);
  }
  let steps = 0;
  const t0 = performance.now();
  while (steps < minSteps || (performance.now() - t0) / 1000 < minSeconds) {
    await step();
    steps++;
    if (steps >= 200) break;
  }
  const ms = (performance.now() - t0) / steps;
  console.log(
    JSON.stringify({
      workload,
      backend: label,
      samplesPerSec: Math.round((batch * 1000) / ms),
      msPerStep: +ms.toFixed(2),
      steps,
      batch,
      paramCount,
      threads: report.wasmThreads?.used ?? null,
      providedBy: report.providedBy,
      // webgpu on lavapipe or SwiftShader: a CPU running GPU code, not a GPU's number
      ...(report.webgpuAdapter ? { software: report.webgpuAdapter.software } : {}),
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e.message.split('\n').slice(0, 3).join(' '));
    process.exit(1);
  });
}

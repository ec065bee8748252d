// Trials behind chapter 09's VQ-VAE and dVAE (prototype; the chapter holds the final code):
//   node kernel-utils/experiments/discrete-recipes/vqvae.mjs [key=value…]
// kind=vq|dvae K=64 D=16 c=32 (conv width) batch=64 lr=2e-3 epochs=3 restart=1 (dead-code restarts)
// beta=0.25 (commitment) kl=1 (dVAE KL weight) tau0=1 tauMin=0.5 dump=path (codes of train+test)
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
const KIND = opt.kind ?? 'vq';
const K = num('K', 64), D = num('D', 16), C = num('c', 32), BATCH = num('batch', 64);
const LR = num('lr', 2e-3), EPOCHS = num('epochs', 3), RESTART = num('restart', 1);
const BETA = num('beta', 0.25), KLW = num('kl', 1), TAU0 = num('tau0', 1), TAUMIN = num('tauMin', 0.5);
const mnist = ku.loadMnist();
const n = mnist.train.n;
const xTrain = tf.tensor4d(mnist.train.images, [n, 28, 28, 1]);
const nTest = mnist.test.n;
const xTest = tf.tensor4d(mnist.test.images, [nTest, 28, 28, 1]);
tf.util.seedrandom?.(0);
const he = (shape, fanIn) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', 1 + shape.length * 7 + fanIn));
const z = (shape) => tf.variable(tf.zeros(shape));
const p = {
  e1: he([4, 4, 1, C], 16), e1b: z([C]),
  e2: he([4, 4, C, C], 16 * C), e2b: z([C]),
  e3: he([3, 3, C, C], 9 * C), e3b: z([C]),
  e4: he([1, 1, C, KIND === 'vq' ? D : K], C), e4b: z([KIND === 'vq' ? D : K]),
  d1: he([3, 3, D, C], 9 * D), d1b: z([C]),
  d2: he([3, 3, C, C], 9 * C), d2b: z([C]),
  d3: he([4, 4, C, C], 16 * C), d3b: z([C]),
  d4: he([4, 4, 1, C], 16 * C), d4b: z([1]),
};
// VQ: U(±1/K) as in the reference implementations; dVAE: N(0, 1) (a tiny embedding starves the decoder)
const codebook = tf.variable(KIND === 'vq' ? tf.randomUniform([K, D], -1 / K, 1 / K, 'float32', 7) : tf.randomNormal([K, D], 0, 1, 'float32', 7));
const conv = (h, w, b, s = 1) => tf.conv2d(h, p[w], s, 'same').add(p[b]);
const encode = (x) => {
  let h = tf.relu(conv(x, 'e1', 'e1b', 2));
  h = tf.relu(conv(h, 'e2', 'e2b', 2));
  h = h.add(conv(tf.relu(h), 'e3', 'e3b'));
  return conv(tf.relu(h), 'e4', 'e4b'); // n×7×7×(D or K)
};
const up = (h, w, b, c, size) => tf.conv2dTranspose(h, p[w], [h.shape[0], size, size, c], 2, 'same').add(p[b]);
const decode = (q) => {
  let h = conv(q, 'd1', 'd1b');
  h = h.add(conv(tf.relu(h), 'd2', 'd2b'));
  h = tf.relu(up(tf.relu(h), 'd3', 'd3b', C, 14));
  return up(h, 'd4', 'd4b', 1, 28); // logits
};
const nearest = (ze) => tf.tidy(() => {
  const flat = ze.reshape([-1, D]);
  const d = flat.square().sum(1, true).sub(flat.matMul(codebook, false, true).mul(2)).add(codebook.square().sum(1).expandDims(0));
  return d.argMin(1);
});
const straightThrough = tf.customGrad((ze, zq) => ({ value: zq.clone(), gradFunc: (dy) => [dy, tf.zerosLike(dy)] }));
const stop = tf.customGrad((x) => ({ value: x.clone(), gradFunc: (dy) => tf.zerosLike(dy) }));
const bce = (logits, x) => tf.sigmoidCrossEntropy ? null : null;
const recon = (logits, x) => tf.softplus(logits).sub(x.mul(logits)).sum([1, 2, 3]).mean();
const usage = new Float64Array(K);
let lastIdx = null;
function vqLoss(x) {
  const ze = encode(x);
  const idx = nearest(ze);
  lastIdx = idx.dataSync().slice();
  const zq = tf.oneHot(idx, K).toFloat().matMul(codebook).reshape(ze.shape);
  const codebookLoss = stop(ze).sub(zq).square().sum(-1).mean();
  const commit = ze.sub(stop(zq)).square().sum(-1).mean();
  const logits = decode(straightThrough(ze, zq));
  const r = recon(logits, x);
  return r.add(codebookLoss.add(commit.mul(BETA)).mul(49));
}
let tau = TAU0;
function dvaeLoss(x) {
  const logits = encode(x); // n×7×7×K
  const logq = tf.logSoftmax(logits);
  const g = tf.randomUniform(logits.shape, 1e-7, 1 - 1e-7).log().neg().log().neg();
  const y = tf.softmax(logq.add(g).div(tau));
  const q = y.reshape([-1, K]).matMul(codebook).reshape([-1, 7, 7, D]);
  const r = recon(decode(q), x);
  // KL(q ‖ uniform) = Σ q log q + log K per cell
  const kl = logq.exp().mul(logq).sum(-1).add(Math.log(K)).sum([1, 2]).mean();
  lastIdx = logits.reshape([-1, K]).argMax(1).dataSync().slice();
  return r.add(kl.mul(KLW));
}
const vars = [...Object.values(p), codebook];
const optim = tf.train.adam(LR);
const rng = new ku.Rng(0);
const stepsPerEpoch = Math.floor(n / BATCH);
const t0 = Date.now();
let step = 0;
const windowUse = new Float64Array(K);
for (let ep = 0; ep < EPOCHS; ep++) {
  const perm = rng.permutation ? rng.permutation(n) : Array.from({ length: n }, (_, i) => i).sort(() => rng.uniform() - 0.5);
  for (let b = 0; b < stepsPerEpoch; b++, step++) {
    if (KIND === 'dvae') tau = Math.max(TAUMIN, TAU0 * Math.exp(-3e-3 * step));
    const idx = tf.tensor1d(Array.from(perm.slice(b * BATCH, (b + 1) * BATCH)), 'int32');
    const x = tf.gather(xTrain, idx);
    const loss = optim.minimize(() => (KIND === 'vq' ? vqLoss(x) : dvaeLoss(x)), true, vars);
    for (const i of lastIdx) windowUse[i]++;
    if (KIND === 'vq' && RESTART && step % 50 === 49) {
      // dead codes: reset to random encoder outputs of this batch
      const dead = [];
      windowUse.forEach((u, k) => { if (u === 0) dead.push(k); });
      if (dead.length) {
        tf.tidy(() => {
          const ze = encode(x).reshape([-1, D]);
          const pick = tf.tensor1d(dead.map(() => rng.int(ze.shape[0])), 'int32');
          const rows = tf.gather(ze, pick);
          const mask = tf.oneHot(tf.tensor1d(dead, 'int32'), K).sum(0).expandDims(1);
          const scatter = tf.oneHot(tf.tensor1d(dead, 'int32'), K).transpose().matMul(rows);
          codebook.assign(codebook.mul(tf.scalar(1).sub(mask)).add(scatter));
        });
      }
      windowUse.fill(0);
    } else if (KIND !== 'vq' || step % 50 === 49) windowUse.fill(0);
    if (step % 50 === 0) console.log(JSON.stringify({ step, loss: loss.dataSync()[0], tau, seconds: (Date.now() - t0) / 1000, tensors: tf.memory().numTensors }));
    tf.dispose([loss, idx, x]);
  }
}
const trainSeconds = (Date.now() - t0) / 1000;
// evaluation: test reconstruction MSE (grey pixels) and BCE, code usage
const counts = new Float64Array(K);
let mse = 0, bceSum = 0;
const allIdx = [];
for (let s = 0; s < nTest; s += 500) {
  tf.tidy(() => {
    const x = xTest.slice([s, 0, 0, 0], [Math.min(500, nTest - s), 28, 28, 1]);
    const h = encode(x);
    const idx = KIND === 'vq' ? nearest(h) : h.reshape([-1, K]).argMax(1);
    const id = idx.dataSync();
    for (const i of id) counts[i]++;
    const zq = tf.oneHot(idx, K).toFloat().matMul(codebook).reshape([-1, 7, 7, D]);
    const logits = decode(zq);
    mse += tf.sigmoid(logits).sub(x).square().sum().dataSync()[0];
    bceSum += tf.softplus(logits).sub(x.mul(logits)).sum().dataSync()[0];
  });
}
const total = counts.reduce((a, b) => a + b, 0);
let H = 0;
for (const c of counts) if (c > 0) H -= (c / total) * Math.log(c / total);
console.log(JSON.stringify({ kind: KIND, K, D, C, epochs: EPOCHS, restart: RESTART, trainSeconds, stepsPerSec: step / trainSeconds,
  testMsePerImage: mse / nTest, testBcePerImage: bceSum / nTest, perplexity: Math.exp(H), used: counts.filter((c) => c > 0).length / K }));
if (opt.dump) {
  const dumpIdx = (xs) => { const out = []; for (let s = 0; s < xs.shape[0]; s += 500) tf.tidy(() => { const x = xs.slice([s, 0, 0, 0], [Math.min(500, xs.shape[0] - s), 28, 28, 1]); const h = encode(x); out.push(...(KIND === 'vq' ? nearest(h) : h.reshape([-1, K]).argMax(1)).dataSync()); }); return out; };
  fs.writeFileSync(opt.dump, JSON.stringify({ K, train: dumpIdx(xTrain), trainLabels: Array.from(mnist.train.labels), test: dumpIdx(xTest), testLabels: Array.from(mnist.test.labels) }));
  // decoder weights too, for decoding prior samples in trials
  const w = {}; for (const [k, v] of Object.entries(p)) w[k] = { shape: v.shape, data: Array.from(v.dataSync()) };
  w.codebook = { shape: codebook.shape, data: Array.from(codebook.dataSync()) };
  fs.writeFileSync(opt.dump.replace(/\.json$/, '') + '.weights.json', JSON.stringify(w));
}

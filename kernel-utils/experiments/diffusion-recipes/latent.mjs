// Trials behind chapter 13's latent diffusion: an MLP ε-model on chapter 07's VAE codes.
//   node kernel-utils/experiments/diffusion-recipes/latent.mjs [key=value…]
// steps=4000 width=512 depth=3 lr=1e-3 batch=256 T=1000 schedule=cosine|linear codes=mu|sample
// ema=0.999 (0: none) cond=1 (class-conditional) drop=0.1 (label dropout) guide=2 (CFG weight w)
// asked=none (sample the "no label" slot) recon=1 (also score the decoded training codes)
// seed=0 lastLr=1e-3 (the last third of the steps at this rate)
// ddim=50 (steps of DDIM sampling; 0: ancestral over all T) n=1000
// Needs chapter 07's standard checkpoint (run 07 first). Prints JSON lines. Run from the repo root.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
const STEPS = num('steps', 4000), WIDTH = num('width', 512), DEPTH = num('depth', 3);
const LR = num('lr', 1e-3), BATCH = num('batch', 256), T = num('T', 1000);
const EMA = num('ema', 0.999), COND = num('cond', 1), GUIDE = num('guide', 2);
const DDIM = num('ddim', 50), N = num('n', 1000), TEMB = 64;
const nb = await ku.setupNotebook('07-vae-elbo', { quiet: true });
const mnist = ku.loadMnist();
const xTrain = ku.ch07.vaeTrainingSet(nb, mnist);
const { vae } = await ku.ch07.trainedMlpVae(nb, xTrain);
const t0 = Date.now();
// codes: μ of q(z|x), or one draw z ~ q(z|x) per digit per epoch
const enc = tf.tidy(() => vae.encode(xTrain));
const mean = tf.tidy(() => enc.mu.mean(0));
const sd = tf.tidy(() => tf.moments(enc.mu, 0).variance.sqrt());
const labels = tf.tensor1d(Array.from(mnist.train.labels.subarray(0, xTrain.shape[0])), 'int32');
const D = vae.latent;
// schedule
const betas = [];
if ((opt.schedule ?? 'cosine') === 'cosine') {
  const f = (t) => Math.cos(((t / T + 0.008) / 1.008) * Math.PI / 2) ** 2;
  for (let t = 1; t <= T; t++) betas.push(Math.min(1 - f(t) / f(t - 1), 0.999));
} else for (let t = 0; t < T; t++) betas.push(1e-4 + ((0.02 - 1e-4) * t) / (T - 1));
const alphaBar = [];
betas.reduce((a, b) => (alphaBar.push(a * (1 - b)), a * (1 - b)), 1);
const sqrtAb = tf.tensor1d(alphaBar.map(Math.sqrt)), sqrt1mAb = tf.tensor1d(alphaBar.map((a) => Math.sqrt(1 - a)));
const freqs = Array.from({ length: TEMB / 2 }, (_, i) => Math.exp((-Math.log(10000) * i) / (TEMB / 2)));
const embTable = tf.tensor2d(Array.from({ length: T }, (_, i) => [...freqs.map((f) => Math.sin((i + 1) * f)), ...freqs.map((f) => Math.cos((i + 1) * f))]));
// model: in = [z (D), temb (64), onehot label (11: 10 = none)] → width ×depth (residual SiLU) → D
const glorot = (i, o) => tf.variable(tf.tidy(() => tf.randomNormal([i, o], 0, Math.sqrt(1 / i))));
const zeros = (n) => tf.variable(tf.zeros([n]));
const W = { inW: glorot(D + TEMB + 11, WIDTH), inB: zeros(WIDTH), layers: [], outW: tf.variable(tf.zeros([WIDTH, D])), outB: zeros(D) };
for (let i = 0; i < DEPTH; i++) W.layers.push({ w: glorot(WIDTH, WIDTH), b: zeros(WIDTH) });
const vars = [W.inW, W.inB, ...W.layers.flatMap((l) => [l.w, l.b]), W.outW, W.outB];
const emaVars = vars.map((v) => tf.variable(v.clone(), false));
const net = (ps, zt, idx, lab) => {
  const [inW, inB, ...rest] = ps;
  const outB = rest.pop(), outW = rest.pop();
  let h = tf.concat([zt, tf.gather(embTable, idx), tf.oneHot(lab, 11)], 1).matMul(inW).add(inB);
  for (let i = 0; i < rest.length; i += 2) h = h.add(tf.matMul(tf.sigmoid(h).mul(h), rest[i]).add(rest[i + 1]));
  return tf.sigmoid(h).mul(h).matMul(outW).add(outB);
};
const optim = tf.train.adam(LR);
const SEED = num('seed', 0);
ku.seedEverything(SEED);
const rng = new ku.Rng(SEED);
// lastLr: the last third of the steps at this rate (0: the same rate throughout)
const LAST_LR = num('lastLr', 0);
const nTrain = xTrain.shape[0];
for (let s = 0; s < STEPS; s++) {
  if (LAST_LR && s === Math.round((2 * STEPS) / 3)) optim.learningRate = LAST_LR;
  const loss = optim.minimize(() => {
    const idx = tf.tensor1d(Array.from({ length: BATCH }, () => rng.int(nTrain)), 'int32');
    let z0 = tf.gather(enc.mu, idx);
    if (opt.codes === 'sample') z0 = z0.add(tf.gather(enc.logVar, idx).mul(0.5).exp().mul(tf.randomNormal(z0.shape)));
    if (opt.norm !== "0") z0 = z0.sub(mean).div(sd);
    const t = tf.tensor1d(Array.from({ length: BATCH }, () => rng.int(T)), 'int32');
    let lab = tf.gather(labels, idx);
    if (!COND) lab = tf.fill([BATCH], 10, 'int32');
    else lab = tf.where(tf.randomUniform([BATCH]).less(num("drop", 0.1)), tf.fill([BATCH], 10, 'int32'), lab);
    const eps = tf.randomNormal(z0.shape);
    const zt = z0.mul(tf.gather(sqrtAb, t).expandDims(1)).add(eps.mul(tf.gather(sqrt1mAb, t).expandDims(1)));
    return tf.losses.meanSquaredError(eps, net(vars, zt, t, lab));
  }, true, vars);
  if (EMA) tf.tidy(() => emaVars.forEach((e, i) => e.assign(e.mul(EMA).add(vars[i].mul(1 - EMA)))));
  if (s % 500 === 0 || s === STEPS - 1) console.log(JSON.stringify({ step: s, loss: loss.dataSync()[0], seconds: (Date.now() - t0) / 1000 }));
  loss.dispose();
}
const trainSeconds = (Date.now() - t0) / 1000;
// sampling: DDIM (η = 0) on a sub-sequence of timesteps, or ancestral over every step
const ps = EMA ? emaVars : vars;
const asked = tf.tensor1d(Array.from({ length: N }, (_, i) => (COND && opt.asked !== "none" ? i % 10 : 10)), "int32");
const eHat = (z, ti) => tf.tidy(() => {
  const idx = tf.fill([N], ti, 'int32');
  const c = net(ps, z, idx, asked);
  if (!COND || GUIDE === 0) return c;
  const u = net(ps, z, idx, tf.fill([N], 10, 'int32'));
  // ε̃ = (1 + w) ε(z, c) − w ε(z, ∅)
  return c.mul(1 + GUIDE).sub(u.mul(GUIDE));
});
const t1 = Date.now();
let z = tf.randomNormal([N, D], 0, 1, 'float32', 1001);
const seq = DDIM ? Array.from({ length: DDIM }, (_, i) => Math.round(((i + 1) * T) / DDIM) - 1) : Array.from({ length: T }, (_, i) => i);
for (let k = seq.length - 1; k >= 0; k--) {
  const t = seq[k], prev = k > 0 ? seq[k - 1] : -1;
  const ab = alphaBar[t], abPrev = prev >= 0 ? alphaBar[prev] : 1;
  const e = eHat(z, t);
  const next = tf.tidy(() => {
    if (DDIM) {
      const x0 = z.sub(e.mul(Math.sqrt(1 - ab))).div(Math.sqrt(ab));
      return x0.mul(Math.sqrt(abPrev)).add(e.mul(Math.sqrt(1 - abPrev)));
    }
    const beta = betas[t];
    const m = z.sub(e.mul(beta / Math.sqrt(1 - ab))).div(Math.sqrt(1 - beta));
    if (t === 0) return m;
    const sigma = Math.sqrt((beta * (1 - abPrev)) / (1 - ab));
    return m.add(tf.randomNormal(z.shape).mul(sigma));
  });
  e.dispose(); z.dispose(); z = next;
}
const images = tf.tidy(() => tf.sigmoid(vae.decoder.apply(opt.norm === "0" ? z : z.mul(sd).add(mean))));
const sampleSeconds = (Date.now() - t1) / 1000;
const fake = images.dataSync();
const real = mnist.train.images.subarray(0, 1000 * ku.PIXELS);
const ev = await ku.evaluateSamples({ data: real, shape: [1000, 28, 28] }, { data: fake.slice(0, 1000 * 784), shape: [1000, 28, 28] }, { fakeLabels: COND && opt.asked !== "none" ? Int32Array.from(asked.dataSync()).slice(0, 1000) : undefined });
// the VAE's own prior samples for comparison
const prior = tf.tidy(() => tf.sigmoid(vae.decoder.apply(tf.randomNormal([1000, D], 0, 1, 'float32', 1001)))).dataSync();
const evPrior = opt.prior ? await ku.evaluateSamples({ data: real, shape: [1000, 28, 28] }, { data: prior, shape: [1000, 28, 28] }) : null;
console.log(JSON.stringify({ opt, trainSeconds, sampleSeconds, kid: ev.kid.mean, fid: ev.fid, is: ev.is?.mean, precision: ev.precision, recall: ev.recall, condAcc: ev.conditionalAccuracy, priorKid: evPrior?.kid.mean, priorFid: evPrior?.fid }));
if (opt.png) ku.saveSamples('13-diffusion-trial', opt.png, images.slice([0, 0], [100, 784]).reshape([100, 28, 28]));
if (opt.recon) {
  // what latent diffusion on μ can reach at best: the decoder's means at the training codes
  const rec = tf.tidy(() => tf.sigmoid(vae.decoder.apply(enc.mu.slice([1000, 0], [1000, D])))).dataSync();
  const recLabels = Int32Array.from(mnist.train.labels.subarray(1000, 2000));
  const evRec = await ku.evaluateSamples({ data: real, shape: [1000, 28, 28] }, { data: rec, shape: [1000, 28, 28] }, { fakeLabels: recLabels });
  console.log(JSON.stringify({ reconKid: evRec.kid.mean, reconFid: evRec.fid, reconCondAcc: evRec.conditionalAccuracy }));
}

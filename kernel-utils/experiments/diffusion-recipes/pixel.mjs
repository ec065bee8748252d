// Trials behind chapter 13's pixel-space DDPM, on the chapter's own U-Net (ku.ch13):
//   node kernel-utils/experiments/diffusion-recipes/pixel.mjs [key=value…]
// width=16 batch=64 lr=1e-3 seconds=240 (training budget) ddim=20 n=500 (samples scored)
// ema=0.999 (with warm-up: decay min(ema, (1 + s)/(10 + s)); 0: none) speed=1 (time 20 steps, stop)
// Trains on the embedded training digits scaled to [−1, 1], T = 1000 linear betas; prints JSON.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch13;
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
const WIDTH = num('width', 16), BATCH = num('batch', 64), LR = num('lr', 1e-3);
const SECONDS = num('seconds', 240), DDIM = num('ddim', 20), N = num('n', 500), EMA = num('ema', 0.999);
const mnist = ku.loadMnist();
const n = mnist.train.n;
const x = tf.tidy(() => tf.tensor4d(mnist.train.images, [n, 28, 28, 1]).mul(2).sub(1));
const s = c.makeSchedule(c.linearBetas(1000));
const m = c.buildPixelUnet(WIDTH);
const vars = Object.values(m.params);
const params = vars.reduce((a, v) => a + v.size, 0);
const ema = vars.map((v) => tf.variable(v.clone(), false));
const optim = tf.train.adam(LR);
const rng = new ku.Rng(0);
const t0 = Date.now();
let step = 0;
for (; (Date.now() - t0) / 1000 < SECONDS; step++) {
  const loss = optim.minimize(() => {
    const idx = tf.tensor1d(Array.from({ length: BATCH }, () => rng.int(n)), 'int32');
    return c.simpleLoss((xt, t) => c.pixelUnet(m, xt, t), tf.gather(x, idx), s);
  }, true, vars);
  if (EMA) {
    const d = Math.min(EMA, (1 + step) / (10 + step));
    tf.tidy(() => ema.forEach((e, i) => e.assign(e.mul(d).add(vars[i].mul(1 - d)))));
  }
  if (step % 100 === 0) console.log(JSON.stringify({ step, loss: loss.dataSync()[0], seconds: (Date.now() - t0) / 1000 }));
  loss.dispose();
  if (opt.speed && step === 20) {
    console.log(JSON.stringify({ width: WIDTH, params, samplesPerSecond: (20 * BATCH) / ((Date.now() - t0) / 1000) }));
    process.exit(0);
  }
}
const trainSeconds = (Date.now() - t0) / 1000;
if (EMA) vars.forEach((v, i) => v.assign(ema[i]));
const t1 = Date.now();
const out = await c.sampleReverse((xt, t) => c.pixelUnet(m, xt, tf.fill([xt.shape[0]], t, 'int32')), [N, 28, 28, 1], s, { ddimSteps: DDIM });
const images = tf.tidy(() => out.add(1).div(2).clipByValue(0, 1).reshape([N, 28, 28]));
const sampleSeconds = (Date.now() - t1) / 1000;
const ev = await ku.evaluateSamples({ data: mnist.train.images.subarray(0, 1000 * 784), shape: [1000, 28, 28] }, { data: images.dataSync(), shape: [N, 28, 28] });
console.log(JSON.stringify({ opt, params, steps: step, epochs: (step * BATCH) / n, trainSeconds, sampleSeconds, kid: ev.kid.mean, fid: ev.fid, is: ev.is?.mean, precision: ev.precision, recall: ev.recall }));
if (opt.png) ku.saveSamples('13-diffusion-trial', opt.png, images.slice([0, 0, 0], [100, 28, 28]));

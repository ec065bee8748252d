// Trials behind chapter 15's diffusion restorations (prototype; the chapter holds the final code):
//   BOOK_MODE=standard node kernel-utils/experiments/restoration-recipes/diffusion.mjs [n=100 steps=20]
// Times the pixel U-Net of chapter 13 and scores denoising from the matching step, projected DDIM
// super-resolution and inpainting (PSNR against the clean test digits, book classifier accuracy).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const N = Number(opt.n ?? 100), STEPS = Number(opt.steps ?? 20);
const nb = await ku.setupNotebook('15-applications', { quiet: true });
const mnist = ku.loadMnist();
const s = ku.ch13.makeSchedule(ku.ch13.linearBetas(1000));
const { ema } = await ku.ch13.trainedPixelUnet(nb, mnist, s);
const clf = await ku.loadDigitClassifier();
const x01 = tf.tensor4d(mnist.test.images.subarray(0, N * 784), [N, 28, 28, 1]);
const labels = mnist.test.labels.subarray(0, N);
const eps = (xt, t) => ku.ch13.pixelUnet(ema, xt, tf.fill([xt.shape[0]], t, 'int32'));
let t0 = Date.now();
tf.tidy(() => eps(x01.mul(2).sub(1), 500).dataSync());
console.log(`U-Net forward on ${N}: ${((Date.now() - t0) / 1000).toFixed(2)} s`);
const psnr = (a, b) => {
  const d = tf.tidy(() => a.sub(b).square().mean([1, 2, 3]).dataSync());
  return ku.mean(Array.from(d, (m) => 10 * Math.log10(1 / m)));
};
const acc = (img) => {
  const p = tf.tidy(() => clf.model.predict(img.reshape([-1, 28, 28, 1])).argMax(1).dataSync());
  return p.reduce((a, v, i) => a + (v === labels[i] ? 1 : 0), 0) / N;
};
const report = (name, img) => console.log(`${name}: PSNR ${psnr(img, x01).toFixed(2)} acc ${acc(img).toFixed(3)}`);
// denoising from the matching step
for (const sigma of [0.1, 0.2, 0.3, 0.5]) {
  const y = tf.tidy(() => x01.add(tf.randomNormal(x01.shape, 0, sigma, 'float32', 7)));
  const abStar = 1 / (1 + 4 * sigma * sigma);
  let tStar = 1;
  while (tStar < s.T && s.alphaBar[tStar] >= abStar) tStar++;
  report(`σ ${sigma} noisy`, y.clipByValue(0, 1));
  const xt = tf.tidy(() => y.mul(2).sub(1).mul(Math.sqrt(abStar)));
  const one = tf.tidy(() => {
    const e = eps(xt, tStar);
    return xt.sub(e.mul(Math.sqrt(1 - s.alphaBar[tStar - 1]))).div(Math.sqrt(s.alphaBar[tStar - 1])).add(1).div(2).clipByValue(0, 1);
  });
  report(`σ ${sigma} t*=${tStar} one-step x̂0`, one);
  let x = xt.clone();
  const k = Math.max(1, Math.round((STEPS * tStar) / s.T));
  const steps = Array.from({ length: k }, (_, j) => Math.round((tStar * (k - j)) / k));
  t0 = Date.now();
  for (let j = 0; j < k; j++) {
    const next = tf.tidy(() => ku.ch13.ddimStep(s, x, eps(x, steps[j]), steps[j], j + 1 < k ? steps[j + 1] : 0));
    x.dispose(); x = next;
  }
  report(`σ ${sigma} DDIM ${k} steps (${((Date.now() - t0) / 1000).toFixed(1)} s)`, tf.tidy(() => x.add(1).div(2).clipByValue(0, 1)));
  tf.dispose([y, xt, one, x]);
}
// projected DDIM: x̂0 replaced by its projection onto the observations at each step
async function projected(project, label, resample = 1) {
  let x = tf.randomNormal(x01.shape, 0, 1, 'float32', 11);
  const steps = Array.from({ length: STEPS }, (_, j) => Math.round((s.T * (STEPS - j)) / STEPS));
  t0 = Date.now();
  for (let j = 0; j < STEPS; j++) {
    const [t, to] = [steps[j], j + 1 < STEPS ? steps[j + 1] : 0];
    for (let r = 0; r < resample; r++) {
      const next = tf.tidy(() => {
        const ab = s.alphaBar[t - 1], abTo = to === 0 ? 1 : s.alphaBar[to - 1];
        const e = eps(x, t);
        const x0 = project(x.sub(e.mul(Math.sqrt(1 - ab))).div(Math.sqrt(ab)).clipByValue(-1, 1));
        const e2 = x.sub(x0.mul(Math.sqrt(ab))).div(Math.sqrt(1 - ab));
        const xTo = x0.mul(Math.sqrt(abTo)).add(e2.mul(Math.sqrt(1 - abTo)));
        if (r + 1 === resample || to === 0) return xTo;
        // RePaint: back to t with fresh noise
        const a = ab / abTo;
        return xTo.mul(Math.sqrt(a)).add(tf.randomNormal(x.shape).mul(Math.sqrt(1 - a)));
      });
      x.dispose(); x = next;
      if (to === 0) break;
    }
  }
  const img = tf.tidy(() => x.add(1).div(2).clipByValue(0, 1));
  report(`${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`, img);
  tf.dispose([x, img]);
}
for (const f of [2, 4]) {
  const y = tf.tidy(() => tf.avgPool(x01.mul(2).sub(1), f, f, 'valid'));
  const up = (lo) => tf.image.resizeNearestNeighbor(lo, [28, 28]);
  report(`SR ×${f} nearest`, tf.tidy(() => up(y).add(1).div(2)));
  report(`SR ×${f} bilinear`, tf.tidy(() => tf.image.resizeBilinear(y, [28, 28]).add(1).div(2).clipByValue(0, 1)));
  await projected((x0) => x0.add(up(y.sub(tf.avgPool(x0, f, f, 'valid')))), `SR ×${f} projected DDIM`);
  y.dispose();
}
const m = tf.tidy(() => {
  const a = new Float32Array(784).fill(1);
  for (let r = 8; r < 20; r++) for (let c = 8; c < 20; c++) a[r * 28 + c] = 0;
  return tf.tensor4d(a, [1, 28, 28, 1]);
});
const obs = tf.tidy(() => x01.mul(2).sub(1));
report('box hole filled gray 0', tf.tidy(() => x01.mul(m)));
await projected((x0) => obs.mul(m).add(x0.mul(tf.scalar(1).sub(m))), 'box projected DDIM');
await projected((x0) => obs.mul(m).add(x0.mul(tf.scalar(1).sub(m))), 'box projected DDIM resample 3', 3);
console.log(`tensors ${tf.memory().numTensors}`);

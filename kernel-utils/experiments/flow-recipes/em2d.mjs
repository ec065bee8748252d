// Scratch check of the notebook's plain-JS 2-D EM (fitMixture2d, chapter 05 §4) against
// ku.fitGaussianMixture, and its speed at thousands of components: `node em2d.mjs <k,...>`.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch05;
const train = ku.makeMoons(2000, 0.05, 1), test = ku.makeMoons(2000, 0.05, 2);
const X = tf.tensor2d(train.x, [train.n, 2]), T = tf.tensor2d(test.x, [test.n, 2]);
const ks = process.argv[2].split(',').map(Number);
const cap = +(process.argv[3] ?? 2000);
// k > n: component j at training point j mod n, jittered N(0, 0.01²); the data's covariance, equal weights
function spread(points, k, seed) {
  const n = points.length / 2, rng = new ku.Rng(seed);
  const X0 = tf.tensor2d(points, [n, 2]);
  const base = ku.initGaussianMixture(X0, 1, { covariance: 'full', seed });
  X0.dispose();
  const means = new Float32Array(2 * k), covariances = new Float64Array(4 * k);
  for (let j = 0; j < k; j++) {
    means.set([points[2 * (j % n)] + 0.01 * rng.normal(), points[2 * (j % n) + 1] + 0.01 * rng.normal()], 2 * j);
    covariances.set(base.covariances, 4 * j);
  }
  return { k, d: 2, covariance: 'full', weights: new Float64Array(k).fill(1 / k), means, covariances };
}
for (const k of ks) {
  if (k <= 64) {
    let t0 = performance.now();
    const ref = ku.fitGaussianMixture(X, { k, covariance: 'full', iterations: 100, seed: 0 });
    const tRef = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const init = ku.initGaussianMixture(X, k, { covariance: 'full', seed: 0 });
    const mine = c.fitMixture2d(train.x, init, { iterations: 100, tolerance: 1e-5, ridge: 1e-6 });
    const tMine = (performance.now() - t0) / 1000;
    const refTest = -tf.tidy(() => ku.mixtureLogDensity(T, ref.model).mean().dataSync()[0]);
    const mineTest = -ku.mean(c.mixtureLogDensity2d(test.x, mine.model));
    console.log(JSON.stringify({ k, refIters: ref.logLikelihoods.length, mineIters: mine.logLikelihoods.length, refLL: ref.logLikelihoods.at(-1), mineLL: mine.logLikelihoods.at(-1), refTest, mineTest, tRef, tMine }));
  } else {
    const t0 = performance.now();
    const init = k > train.n ? spread(train.x, k, 0) : ku.initGaussianMixture(X, k, { covariance: 'full', seed: 0 });
    const tInit = (performance.now() - t0) / 1000;
    const mine = c.fitMixture2d(train.x, init, { iterations: cap, tolerance: 1e-5, ridge: 1e-6 });
    const secs = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ k, cap, iters: mine.logLikelihoods.length - 1, ll: mine.logLikelihoods.filter((_, t) => t % 10 === 0).map((v) => +v.toFixed(3)), trainNll: -mine.logLikelihoods.at(-1), testNll: -ku.mean(c.mixtureLogDensity2d(test.x, mine.model)), tInit, secs }));
  }
}

// Trial runs behind chapter 12's RBM recipes, on the chapter's own code (ku.ch12):
//   node kernel-utils/experiments/rbm-recipes/trial.mjs <k> <lr> <epochs> [key=value…]
// Options: persistent=1 (PCD), momentum=0.5, wd=2e-4 (weight decay), decayFrom=1 (the learning
// rate decays linearly to 0 after this fraction of the steps), hidden=500, batch=100, seed=101,
// temps=3000 (AIS temperatures), runs=5, chains=100, aisEvery=0 (also estimate the NLL every n
// epochs, with runs=2), temps2=0 (a second AIS at this many temperatures, to compare),
// save=DIR (the trained weights, by ku.saveCheckpoint), load=DIR (skip training: epochs 0).
// Trains on the embedded training digits (binarized at 0.5) and prints one JSON line per epoch
// (reconstruction error, seconds), then the test NLL by AIS, mean ± sd over the runs.
// Numbers in README.md. Run from the repository root after `npm install`.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch12;

const [kArg, lrArg, epochsArg, ...rest] = process.argv.slice(2);
const opt = Object.fromEntries(rest.map((kv) => kv.split('=')));
const num = (key, dflt) => Number(opt[key] ?? dflt);
const D = ku.PIXELS;
const mnist = ku.loadMnist();
const bits = (set) => ku.staticBinarize(set.images.subarray(0, set.n * D), 0.5);
const xTrain = tf.tensor2d(bits(mnist.train), [mnist.train.n, D]);
const xTest = tf.tensor2d(bits(mnist.test), [mnist.test.n, D]);
const means = tf.tidy(() =>
  xTrain
    .sum(0)
    .add(1)
    .div(mnist.train.n + 2),
);
const baseBias = tf.tidy(() => means.log().sub(tf.neg(means).log1p()));
const recipe = {
  k: Number(kArg),
  persistent: opt.persistent === '1',
  learningRate: Number(lrArg),
  momentum: num('momentum', 0.5),
  weightDecay: num('wd', 2e-4),
  batch: num('batch', 100),
  epochs: Number(epochsArg),
  decayFrom: num('decayFrom', 1),
};
const seed = num('seed', 101);
const rbm = c.buildRbm(means, num('hidden', 500), seed);
const testFree = () => tf.tidy(() => c.freeEnergy(rbm, xTest).mean().dataSync()[0]);
const nll = (temps, runs) => {
  const t0 = Date.now();
  const z = c.aisLogZ(rbm, baseBias, c.aisSchedule(temps), num('chains', 100), runs, 4242);
  const f = testFree();
  const v = z.map((x) => x + f);
  const m = ku.mean(v);
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, v.length - 1));
  return {
    temps,
    runs,
    nll: +m.toFixed(2),
    sd: +sd.toFixed(2),
    aisSeconds: (Date.now() - t0) / 1000,
  };
};
if (opt.load) await ku.loadCheckpoint(opt.load, rbm);
let total = 0;
const every = num('aisEvery', 0);
for (let e = 1; !opt.load && e <= recipe.epochs; e += every > 0 ? every : recipe.epochs) {
  // train in chunks of `every` epochs (the chain, velocity and lr schedule restart per chunk only
  // when aisEvery is set: use it to see the trend, not for final numbers)
  const n = every > 0 ? Math.min(every, recipe.epochs - e + 1) : recipe.epochs;
  const h = await c.trainRbm(rbm, xTrain, { ...recipe, epochs: n }, seed + e, 'trial');
  total += h.reduce((s, r) => s + r.seconds, 0);
  const last = h[h.length - 1];
  const row = { epoch: e + n - 1, recon: +last.loss.toFixed(5), trainSeconds: +total.toFixed(1) };
  console.log(JSON.stringify(every > 0 ? { ...row, ...nll(num('temps', 3000), 2) } : row));
}
if (opt.save) await ku.saveCheckpoint(opt.save, rbm, { name: 'trial', config: recipe });
console.log(JSON.stringify({ recipe, final: nll(num('temps', 3000), num('runs', 5)) }));
if (num('temps2', 0) > 0)
  console.log(JSON.stringify({ compare: nll(num('temps2', 0), num('runs', 5)) }));

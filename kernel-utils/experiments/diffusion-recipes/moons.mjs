// Trials behind chapter 13's two-moons diffusion, on the chapter's own code (ku.ch13):
//   node kernel-utils/experiments/diffusion-recipes/moons.mjs [key=value…]
// steps=3000 lr=3e-3 width=128 depth=3 batch=250 n=2000 (training points, noise 0.05), T = 1000
// linear. Prints the samples' mean distance to the arcs, the share off the moons (> 0.2) and on the
// upper moon, for 2,000 ancestral samples. Run from the repository root after `npm install`.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
ku.seedEverything(0);
const c = ku.ch13;
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
const N = num('n', 2000), BATCH = num('batch', 250), STEPS = num('steps', 3000);
const moons = ku.makeMoons(N, 0.05, 1);
const x = tf.tensor2d(moons.x, [N, 2]);
const s = c.makeSchedule(c.linearBetas(1000));
const m = c.buildEpsMlp(2, num('width', 128), num('depth', 3));
const t0 = Date.now();
const history = await ku.fit({
  data: [x],
  epochs: Math.ceil(STEPS / Math.ceil(N / BATCH)),
  batchSize: BATCH,
  optimizer: tf.train.adam(num('lr', 3e-3)),
  loss: ([b]) => c.simpleLoss((xt, t) => c.epsMlp(m, xt, t), b, s),
  progress: false,
});
const trainSeconds = (Date.now() - t0) / 1000;
const out = await c.sampleReverse((z, t) => c.epsMlp(m, z, tf.fill([z.shape[0]], t, 'int32')), [2000, 2], s);
const near = c.nearestMoon(out.dataSync());
console.log(JSON.stringify({
  opt, trainSeconds, loss: history[history.length - 1].loss,
  meanDistance: ku.mean(near.distance),
  offMoons: ku.mean(Array.from(near.distance, (d) => (d > 0.2 ? 1 : 0))),
  upperMoon: ku.mean(Array.from(near.arc, (a) => 1 - a)),
}));

// Trial runs behind chapter 10's ring of Gaussians: `node ring.mjs <steps> <lr> <batch> <sd> <packs, e.g. 1,2> <seeds, e.g. 1,2,3> [hidden]`
// trains the plain GAN (pack 1) and PacGAN (pack m) of chapter 10 §5 per seed; modes covered and
// the share of high-quality samples of 2,500 (README.md).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch10;
const [stepsS, lrS, batchS, sdS, packsS, seedsS, hiddenS] = process.argv.slice(2);
const steps = +stepsS, lr = +lrS, batch = +batchS, sd = +sdS, hidden = +(hiddenS ?? 128);
const centres = c.ringCentres(8, 2);
const centresT = tf.tensor2d(centres);
for (const seed of seedsS.split(',').map(Number)) for (const pack of packsS.split(',').map(Number)) {
  ku.seedEverything(seed);
  const g = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + 1 }) }), tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + 2 }) }), tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + 3 }) })] });
  const d = c.mlpLogit(2 * pack, hidden, 'relu');
  const gan = { generate: (z) => g.apply(z), discriminate: (x) => d.apply(x.reshape([-1, 2 * pack])), gVars: c.variablesOf(g), dVars: c.variablesOf(d), latent: 16 };
  const t0 = performance.now();
  await c.trainGan(gan, { name: 'r', steps, batch, learningRate: lr, beta1: 0.5, logEvery: 1000, realBatch: (n) => ({ x: tf.tidy(() => tf.gather(centresT, tf.randomUniform([n], 0, 8, 'int32')).add(tf.randomNormal([n, 2], 0, sd))), labels: null }) });
  const pts = tf.tidy(() => g.predict(tf.randomNormal([2500, 16], 0, 1, 'float32', 1005)).dataSync());
  const cov = c.ringCoverage(pts, centres, sd);
  console.log(JSON.stringify({ seed, pack, steps, lr, batch, sd, hidden, secs: +((performance.now() - t0) / 1000).toFixed(1), modes: cov.modesCovered, hq: +cov.highQuality.toFixed(3), perMode: cov.perMode }));
  g.dispose(); d.dispose();
}

// Trial runs behind chapter 10's unconditional recipes: `node gan-lr.mjs <half|full|mlp|mlp2> <steps> <lr>`
// trains chapter 10's half- or full-width DCGAN (ku.ch10), an MLP GAN without BatchNorm/dropout
// (mlp) or chapter 10's MLP GAN recipe (mlp2: BatchNorm in G, dropout in D) on the embedded
// training digits, then scores 1,000 samples with the book's evaluator; prints one JSON line.
// Numbers in README.md. Run from the repository root after `npm install` (ku.ch10 must be built).
import { ku, tf, N, imgs, labs, real } from './digits.mjs';
const c = ku.ch10;
function batch(n) {
  const idx = tf.randomUniform([n], 0, N, 'int32');
  const b = { x: tf.gather(imgs, idx), labels: tf.gather(labs, idx) }; idx.dispose(); return b;
}
function mlpG(latent, w) {
  const z = tf.input({ shape: [latent] }); let h = z;
  for (const l of [tf.layers.dense({ units: w }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 2*w }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 4*w }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 784, activation: 'sigmoid' }), tf.layers.reshape({ targetShape: [28, 28, 1] })]) h = l.apply(h);
  return tf.model({ inputs: z, outputs: h });
}
function mlpD(w) {
  const x = tf.input({ shape: [28, 28, 1] }); let h = tf.layers.flatten().apply(x);
  for (const l of [tf.layers.dense({ units: 2*w }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: w }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 1 })]) h = l.apply(h);
  return tf.model({ inputs: x, outputs: h });
}
const which = process.argv[2];
const steps = Number(process.argv[3]);
const lr = Number(process.argv[4] ?? 2e-4);
let g, d;
if (which === 'half') { g = c.dcganGenerator(100, 32); d = c.dcganDiscriminator(32); }
else if (which === 'full') { g = c.dcganGenerator(100, 64); d = c.dcganDiscriminator(64); }
else if (which === 'mlp') { g = mlpG(100, 256); d = mlpD(256); }
else if (which === 'mlp2') {
  const z = tf.input({ shape: [100] }); let h = z;
  for (const l of [tf.layers.dense({ units: 256 }), tf.layers.batchNormalization({momentum:0.9}), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 512 }), tf.layers.batchNormalization({momentum:0.9}), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 784, activation: 'sigmoid' }), tf.layers.reshape({ targetShape: [28, 28, 1] })]) h = l.apply(h);
  g = tf.model({ inputs: z, outputs: h });
  const x = tf.input({ shape: [28, 28, 1] }); let k = tf.layers.flatten().apply(x);
  for (const l of [tf.layers.dense({ units: 512 }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({rate:0.3}), tf.layers.dense({ units: 256 }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({rate:0.3}), tf.layers.dense({ units: 1 })]) k = l.apply(k);
  d = tf.model({ inputs: x, outputs: k });
}
const gan = c.layersGan(g, d, 100);
const t0 = performance.now();
const hist = await c.trainGan(gan, { name: which, steps, batch: 64, learningRate: lr, beta1: 0.5, logEvery: 100,
  realBatch: (n) => { const b = batch(n); b.labels.dispose(); return { x: b.x, labels: null }; } });
const secs = (performance.now() - t0) / 1000;
const fake = tf.tidy(() => gan.generate(tf.randomNormal([1000, 100], 0, 1, 'float32', 1001), null, false).reshape([1000, 28, 28]).dataSync());
const s = await ku.evaluateSamples(real, { data: fake, shape: [1000, 28, 28] }, {});
console.log(JSON.stringify({ which, steps, lr, secs: +secs.toFixed(1), kid: s.kid.mean, fid: s.fid, is: s.is?.mean, prec: s.precision, rec: s.recall, last: hist.at(-1) }));

// Trial runs behind chapter 10's conditional GAN: `node acgan.mjs <plane|acgan|acreal> <steps> <lr> [width] [λ]`
// plane: the label as a learned plane into D (Mirza & Osindero); acgan: AC-GAN with D's class
// loss on real and fake samples (Odena et al.); acreal: D's class loss on real samples only; λ
// weights G's class loss. Prints conditional accuracy and scores as one JSON line (README.md).
import { ku, tf, N, imgs, labs, real } from './digits.mjs';
const c = ku.ch10;
const [mode, stepsS, lrS, widthS] = process.argv.slice(2);
const steps = +stepsS, lr = +lrS, W = +(widthS ?? 32);
const K = 10; const LAMBDA = +(process.argv[6] ?? 1);
const g = c.dcganGenerator(100, W, K);
// D body: shared convs; heads: 1 + K (acgan) or 1 (plane via chapter's)
let d;
if (mode === 'plane') d = c.dcganDiscriminator(W, K);
else {
  const x = tf.input({ shape: [28, 28, 1] });
  let h = x;
  for (const l of [tf.layers.conv2d({ filters: W, kernelSize: 4, strides: 2, padding: 'same' }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.conv2d({ filters: 2 * W, kernelSize: 4, strides: 2, padding: 'same' }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.flatten(), tf.layers.dense({ units: 1 + K })]) h = l.apply(h);
  d = tf.model({ inputs: x, outputs: h });
}
const gen = (z, y, training) => g.apply([z, y], { training });
const disc = (x, y, training) => mode === 'plane' ? d.apply([x, y], { training }) : d.apply(x, { training });
const gVars = c.variablesOf(g), dVars = c.variablesOf(d);
const optD = tf.train.adam(lr, 0.5), optG = tf.train.adam(lr, 0.5);
const ce = (logits, y) => tf.losses.softmaxCrossEntropy(y, logits);
const t0 = performance.now();
for (let s = 1; s <= steps; s++) {
  const row = tf.tidy(() => {
    const idx = tf.randomUniform([64], 0, N, 'int32');
    const x = tf.gather(imgs, idx), y = tf.gather(labs, idx);
    const asked = tf.oneHot(tf.randomUniform([64], 0, K, 'int32'), K);
    const fake = gen(tf.randomNormal([64, 100]), asked, true);
    const dl = optD.minimize(() => {
      const or = disc(x, y, true), of = disc(fake, asked, true);
      const lr_ = or.slice([0, 0], [-1, 1]), lf = of.slice([0, 0], [-1, 1]);
      let loss = c.discriminatorLoss(lr_, lf);
      if (mode === 'acgan') loss = loss.add(ce(or.slice([0, 1], [-1, K]), y)).add(ce(of.slice([0, 1], [-1, K]), asked));
      if (mode === 'acreal') loss = loss.add(ce(or.slice([0, 1], [-1, K]), y));
      return loss;
    }, true, dVars);
    const gl = optG.minimize(() => {
      const of = disc(gen(tf.randomNormal([64, 100]), asked, true), asked, true);
      let loss = c.generatorLoss(of.slice([0, 0], [-1, 1]), 'non-saturating');
      if (mode === 'acgan' || mode === 'acreal') loss = loss.add(ce(of.slice([0, 1], [-1, K]), asked).mul(LAMBDA));
      return loss;
    }, true, gVars);
    return tf.stack([dl, gl]);
  });
  if (s % 200 === 0) console.error(s, Array.from(row.dataSync()).map((v) => v.toFixed(3)).join(' '));
  row.dispose();
}
const secs = (performance.now() - t0) / 1000;
const asked = tf.oneHot(tf.tensor1d(Array.from({ length: 1000 }, (_, i) => i % 10), 'int32'), 10);
const fake = tf.tidy(() => gen(tf.randomNormal([1000, 100], 0, 1, 'float32', 1001), asked, false).reshape([1000, 28, 28]).dataSync());
const sc = await ku.evaluateSamples(real, { data: fake, shape: [1000, 28, 28] }, { fakeLabels: Int32Array.from({ length: 1000 }, (_, i) => i % 10) });
console.log(JSON.stringify({ LAMBDA, mode, steps, lr, W, secs: +secs.toFixed(1), acc: sc.conditionalAccuracy, kid: sc.kid.mean, fid: sc.fid, is: sc.is?.mean, prec: sc.precision, rec: sc.recall }));

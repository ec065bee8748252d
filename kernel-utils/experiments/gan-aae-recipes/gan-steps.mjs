// How many steps chapter 10's GANs would need: `node gan-steps.mjs <dcgan|acgan> <steps> <every>`
// trains chapter 10's half-width DCGAN (or its AC-GAN, the chapter's recipe: D's class loss on
// real digits, G's weighted 2) with Adam 1e-3, β₁ 0.5, batch 64 on the embedded training digits,
// and every `every` steps scores 1,000 samples with the book's evaluator (for the AC-GAN also the
// conditional accuracy); one JSON line per score. Numbers in README.md.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
ku.seedEverything(1);
const c = ku.ch10;
const [kind, stepsS, everyS] = process.argv.slice(2);
const [steps, every] = [+stepsS, +everyS];
const ac = kind === 'acgan';
const mnist = ku.loadMnist();
const n = mnist.train.n;
const images = tf.tensor4d(mnist.train.images, [n, 28, 28, 1]);
const labels = tf.oneHot(tf.tensor1d(Array.from(mnist.train.labels), 'int32'), 10);
const real = { data: mnist.train.images.subarray(0, 1000 * 784), shape: [1000, 28, 28] };
const g = c.dcganGenerator(100, 32, ac ? 10 : 0);
const d = c.dcganDiscriminator(32, 0, ac ? 10 : 0);
const gan = c.layersGan(g, d, 100, ac ? 10 : 0);
const asked = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
const askedT = tf.oneHot(tf.tensor1d(asked, 'int32'), 10);
const t0 = performance.now();
for (let done = 0; done < steps; done += every) {
  await c.trainGan(gan, {
    name: kind, steps: every, batch: 64, learningRate: 1e-3, beta1: 0.5, logEvery: every,
    auxiliaryWeight: 2,
    realBatch: (b) => tf.tidy(() => {
      const idx = tf.randomUniform([b], 0, n, 'int32');
      return { x: tf.gather(images, idx), labels: ac ? tf.gather(labels, idx) : null };
    }),
    requestLabels: ac ? (b) => tf.oneHot(tf.randomUniform([b], 0, 10, 'int32'), 10) : undefined,
  });
  const secs = (performance.now() - t0) / 1000;
  const fake = tf.tidy(() =>
    gan.generate(tf.randomNormal([1000, 100], 0, 1, 'float32', 1001), ac ? askedT : null, false)
      .reshape([1000, 28, 28]).dataSync());
  const s = await ku.evaluateSamples(real, { data: fake, shape: [1000, 28, 28] },
    ac ? { fakeLabels: asked } : {});
  console.log(JSON.stringify({ kind, steps: done + every, secs: +secs.toFixed(0), kid: s.kid.mean,
    fid: s.fid, is: s.is?.mean, accuracy: s.conditionalAccuracy }));
}

// Trial runs of chapter 11's 2-D AAEs: `node aae2d.mjs <mixture|roll|guided|gauss8> <epochs> <lrD> [lrG]`
// trains ku.ch11's AAE (its recipe, with D's and the encoder's adversarial rates set here; lrG
// defaults to 2 × lrD) on a prior, then measures 500 test codes against 500 prior draws (MMD²,
// permutation p-value), the share of codes in their digit's component (mixture priors) and the
// test reconstruction (nats); for gauss8 also the prior samples' scores (README.md).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const { ch07, ch11 } = ku;
const [prior, epS, advS, genS] = process.argv.slice(2);
const epochs = +epS;
ch11.AAE.discriminatorLr = +advS; ch11.AAE.generatorLr = +(genS ?? 2 * +advS);
const mnist = ku.loadMnist();
const rng = new ku.Rng(7);
const xTrain = tf.tensor2d(ku.staticBinarize(mnist.train.images), [mnist.train.n, 784]);
const yTrain = tf.oneHot(tf.tensor1d(Array.from(mnist.train.labels), 'int32'), 10);
const xTest = tf.tensor2d(ku.staticBinarize(mnist.test.images.subarray(0, 500 * 784)), [500, 784]);
const latent = prior === 'gauss8' ? 8 : 2;
const aae = ch11.buildAae(latent, prior === 'guided' ? 10 : 0);
const sampler = prior === 'roll' ? (n) => ch11.sampleSwissRoll(n, rng) : prior === 'gauss8' ? (n) => tf.randomNormal([n, 8]) : (n, d) => ch11.sampleMixturePrior(n, rng, d ?? undefined);
const t0 = performance.now();
const hist = await ch11.trainAae(aae, { name: prior, x: xTrain, labels: prior === 'guided' ? yTrain : null, prior: sampler, epochs, rng });
const secs = (performance.now() - t0) / 1000;
const codes = tf.tidy(() => { const { mu, logVar } = aae.vae.encode(xTest); return ch07.reparameterize(mu, logVar, 5); });
const c = codes.arraySync(); codes.dispose();
const dr = sampler(500, prior === 'guided' ? Int32Array.from(mnist.test.labels.subarray(0, 500)) : null);
const d = dr.arraySync(); dr.dispose();
const m = ch11.mmdTest(c, d, 100, rng);
const digits = Array.from(mnist.test.labels.subarray(0, 500));
let own = NaN;
if (prior !== 'roll' && prior !== 'gauss8') {
  const near = c.map(([a, b]) => { let best = 0, bl = -1e9; for (let k = 0; k < 10; k++) { const [u0, u1] = ch11.mixtureDirection(k); const al = a * u0 + b * u1, ac = -a * u1 + b * u0; const l = -0.5 * ((al - 3) / 0.5) ** 2 - 0.5 * (ac / 0.12) ** 2; if (l > bl) { bl = l; best = k; } } return best; });
  own = ku.mean(near.map((k, i) => (k === digits[i] ? 1 : 0)));
}
const rec = tf.tidy(() => -ch07.bernoulliLogLikelihood(xTest, aae.vae.decoder.predict(aae.vae.encode(xTest).mu)).mean().dataSync()[0]);
let sc = {};
if (prior === 'gauss8') {
  const fake = tf.tidy(() => tf.sigmoid(aae.vae.decoder.predict(tf.randomNormal([1000, 8], 0, 1, 'float32', 1104))).reshape([1000, 28, 28]).dataSync());
  const s = await ku.evaluateSamples({ data: mnist.train.images.subarray(0, 1000 * 784), shape: [1000, 28, 28] }, { data: fake, shape: [1000, 28, 28] }, {});
  sc = { kid: s.kid.mean, fid: s.fid, is: s.is?.mean };
}
console.log(JSON.stringify({ prior, epochs, adv: +advS, secs: +secs.toFixed(1), mmd2: m.mmd2, p: m.pValue, own, rec, last: hist.at(-1), ...sc }));

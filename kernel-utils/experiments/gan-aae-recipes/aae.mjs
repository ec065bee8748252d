// Trial runs behind chapter 11's AAE recipe:
// `node aae.mjs <latent> <epochs> <lrRec> <lrD> [vae|stoch] [lrG (default lrD)] [D dropout]`:
// an AAE with a deterministic encoder (default) or a Gaussian-posterior one (stoch), or chapter
// 07's VAE (vae) at the same sizes (784-400-400-latent), on the binarized training digits; test
// reconstruction (nats), code moments and the scores of 1,000 prior samples (README.md).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const { ch07, ch10 } = ku;
const mnist = ku.loadMnist();
const [latS, epS, lrRS, lrAS, kind, lrGS, dropS] = process.argv.slice(2);
const lrG = +(lrGS ?? lrAS), DROP = +(dropS ?? 0);
const LAT = +latS, EP = +epS, lrR = +lrRS, lrA = +lrAS;
const H = 400, B = 100;
const xTrain = tf.tensor2d(ku.staticBinarize(mnist.train.images), [mnist.train.n, 784]);
const xTest = tf.tensor2d(ku.staticBinarize(mnist.test.images), [mnist.test.n, 784]);
const mlp = (inp, out) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [inp], units: H, activation: 'relu' }), tf.layers.dense({ units: H, activation: 'relu' }), tf.layers.dense({ units: out })] });
const t0 = performance.now();
let decoder, encodeMean;
if (kind === 'vae') {
  const vae = ch07.buildVae(LAT, H);
  await ku.fit({ name: 'vae', data: [xTrain], epochs: EP, batchSize: B, optimizer: tf.train.adam(1e-3), loss: ([x]) => ch07.negativeElbo(vae, x) });
  decoder = vae.decoder; encodeMean = (x) => { const { mu, logVar } = vae.encode(x); return ch07.reparameterize(mu, logVar); };
} else {
  const STOCH = kind === 'stoch'; const encNet = mlp(784, STOCH ? 2 * LAT : LAT);
  const enc = { apply: (x) => { const h = encNet.apply(x); if (!STOCH) return h; return ch07.reparameterize(h.slice([0, 0], [-1, LAT]), h.slice([0, LAT], [-1, LAT])); }, mean: (x) => STOCH ? encNet.apply(x).slice([0, 0], [-1, LAT]) : encNet.apply(x) };
  const dec = mlp(LAT, 784), disc = DROP ? tf.sequential({ layers: [tf.layers.dense({ inputShape: [LAT], units: 256 }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({ rate: DROP }), tf.layers.dense({ units: 256 }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dropout({ rate: DROP }), tf.layers.dense({ units: 1 })] }) : ch10.mlpLogit(LAT, 256, 'leakyRelu');
  const vE = ch10.variablesOf(encNet), vD = ch10.variablesOf(dec), vC = ch10.variablesOf(disc);
  const optR = tf.train.adam(lrR), optC = tf.train.adam(lrA, 0.5), optG = tf.train.adam(lrG, 0.5);
  const n = mnist.train.n; const rng = new ku.Rng(1);
  for (let e = 1; e <= EP; e++) {
    const perm = rng.permutation(n); let last;
    for (let s = 0; s + B <= n; s += B) {
      const row = tf.tidy(() => {
        const idx = tf.tensor1d(perm.subarray(s, s + B), 'int32');
        const x = tf.gather(xTrain, idx);
        const rec = optR.minimize(() => ch07.bernoulliLogLikelihood(x, dec.apply(enc.apply(x))).mean().neg(), true, [...vE, ...vD]);
        const dl = optC.minimize(() => ch10.discriminatorLoss(disc.apply(tf.randomNormal([B, LAT]), { training: true }), disc.apply(enc.apply(x), { training: true })), true, vC);
        const gl = optG.minimize(() => ch10.generatorLoss(disc.apply(enc.apply(x), { training: true }), 'non-saturating'), true, vE);
        return tf.stack([rec, dl, gl]);
      });
      if (last) last.dispose(); last = row;
    }
    console.error(e, Array.from(last.dataSync()).map((v) => v.toFixed(3)).join(' '), ((performance.now() - t0) / 1000).toFixed(1));
    last.dispose();
  }
  decoder = dec; encodeMean = (x) => enc.mean(x);
}
const secs = (performance.now() - t0) / 1000;
const rec = tf.tidy(() => -ch07.bernoulliLogLikelihood(xTest, decoder.apply(encodeMean(xTest))).mean().dataSync()[0]);
const codes = tf.tidy(() => encodeMean(xTest).dataSync());
// code moments
const m = tf.tidy(() => { const z = encodeMean(xTest); const { mean, variance } = tf.moments(z, 0); return [Array.from(mean.dataSync()).map(v=>+v.toFixed(2)), Array.from(variance.dataSync()).map(v=>+v.toFixed(2))]; });
const fake = tf.tidy(() => tf.sigmoid(decoder.apply(tf.randomNormal([1000, LAT], 0, 1, 'float32', 1101))).reshape([1000, 28, 28]).dataSync());
const real = { data: mnist.train.images.subarray(0, 1000 * 784), shape: [1000, 28, 28] };
const sc = await ku.evaluateSamples(real, { data: fake, shape: [1000, 28, 28] }, {});
console.log(JSON.stringify({ lrG, DROP, kind: kind ?? 'aae', LAT, EP, lrR, lrA, secs: +secs.toFixed(1), rec, kid: sc.kid.mean, fid: sc.fid, is: sc.is?.mean, prec: sc.precision, rec_: sc.recall, m }));

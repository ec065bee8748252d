// Trials behind chapter 09's prior over the VQ-VAE's code grid (ku.ch09's PixelCNN), on the
// chapter's standard-mode VQ-VAE checkpoint (trained first if missing):
//   BOOK_MODE=standard node kernel-utils/experiments/discrete-recipes/prior.mjs [key=value…]
// epochs=12 channels=64 blocks=3 firstKernel=5 lr=2e-3 temps=1,0.9 n=1000 (samples per temperature)
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch09;
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
Object.assign(c.CODE_PRIOR, {
  channels: num('channels', 64),
  blocks: num('blocks', 3),
  firstKernel: num('firstKernel', 5),
});
const EPOCHS = num('epochs', 12), LR = num('lr', 2e-3), N = num('n', 1000);
const TEMPS = (opt.temps ?? '1,0.9').split(',').map(Number);
const nb = await ku.setupNotebook('09-discrete-latents');
const mnist = ku.loadMnist();
const { vq } = await c.trainedVqVae(nb, mnist);
const x = c.gridTrainingSet(nb, mnist);
const xt = tf.tensor4d(mnist.test.images, [mnist.test.n, 28, 28, 1]);
const train = c.codeIndices(vq, x), test = c.codeIndices(vq, xt);
const p = c.buildCodePrior(c.GRID_CODES.K);
const t0 = Date.now();
const history = await ku.fit({
  name: 'prior', data: [train], epochs: EPOCHS, batchSize: 64, optimizer: tf.train.adam(LR), progress: false,
  loss: ([k]) => c.codePriorNats(p, k).mean(),
  onEpochEnd: () => ({ test_bits: ku.evaluateInBatches([test], ([k]) => c.codePriorNats(p, k).mean(), 500) / Math.LN2 }),
});
const trainSeconds = (Date.now() - t0) / 1000;
const real = { data: mnist.train.images.subarray(0, 1000 * ku.PIXELS), shape: [1000, 28, 28] };
const rows = [];
for (const temp of TEMPS) {
  const g = await c.sampleCodeGrid(p, N, temp);
  const img = c.decodeCodes(vq, g);
  const e = await ku.evaluateSamples(real, { data: img.dataSync(), shape: [N, 28, 28] }, {});
  rows.push({ temp, kid: e.kid.mean, fid: e.fid, precision: e.precision, recall: e.recall });
  tf.dispose([g, img]);
}
console.log(JSON.stringify({ ...c.CODE_PRIOR, epochs: EPOCHS, lr: LR, trainSeconds,
  testBits: history.map((h) => +h.test_bits.toFixed(1)), trainNats: history[history.length - 1].loss, samples: rows }));

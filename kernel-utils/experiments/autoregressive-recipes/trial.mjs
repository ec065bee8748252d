// Trial runs behind chapter 04's recipes, on the chapter's own code (ku.ch04):
//   node kernel-utils/experiments/autoregressive-recipes/trial.mjs <model> <lr> <epochs> [key=value…]
// model: fvsbn | nade | made | agnostic | pixelcnn. Options: l2=3e-4 (λ‖W‖² per digit; fvsbn,
// made, agnostic), sd=0.1 (NADE's weight init), hidden=100|500, orderings=8 (agnostic),
// batch=100 (64 for pixelcnn), zeroBias=1 (biases at 0, not at the pixel marginals), every=1,
// lastLr=1e-3 (the last epoch at this rate).
// Trains on the embedded training digits (binarized at 0.5) and prints one JSON line every
// `every` epochs: training loss, test NLL (the ensemble's and its best member's for agnostic),
// seconds. Numbers in README.md. Run from the repository root after `npm install`.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch04;

const [model, lrArg, epochsArg, ...rest] = process.argv.slice(2);
const opt = Object.fromEntries(rest.map((kv) => kv.split('=')));
const lr = Number(lrArg),
  epochs = Number(epochsArg);
const l2 = Number(opt.l2 ?? 0),
  every = Number(opt.every ?? 1);
const batch = Number(opt.batch ?? (model === 'pixelcnn' ? 64 : 100));
const D = ku.PIXELS;
const mnist = ku.loadMnist();
const bits = (set, n) => ku.staticBinarize(set.images.subarray(0, n * D), 0.5);
const xTrain = tf.tensor2d(bits(mnist.train, mnist.train.n), [mnist.train.n, D]);
const xTest = tf.tensor2d(bits(mnist.test, mnist.test.n), [mnist.test.n, D]);
const marginals = tf.tidy(() =>
  opt.zeroBias === '1' ? tf.fill([D], 0.5) : xTrain.sum(0).add(1).div(mnist.train.n + 2),
);
const rng = new ku.Rng(0);
const raster = c.rasterOrder(D);
const penalty = (ws) => tf.addN(ws.map((w) => w.square().sum())).mul(l2);

let logits, regularizer, members;
if (model === 'fvsbn') {
  const m = c.buildFvsbn(marginals);
  const mask = c.autoregressiveMask(raster);
  logits = (x) => c.fvsbnLogits(m, mask, x);
  regularizer = () => penalty([m.W.mul(mask)]);
} else if (model === 'nade') {
  const m = c.buildNade(marginals, Number(opt.hidden ?? 100), Number(opt.sd ?? 0.1), 400);
  logits = (x) => c.nadeLogits(m, x);
} else if (model === 'made' || model === 'agnostic') {
  const hidden = Number(opt.hidden ?? 500);
  const k = model === 'made' ? 1 : Number(opt.orderings ?? 8);
  members = Array.from({ length: k }, (_, i) =>
    c.madeMasks(i === 0 ? raster : Int32Array.from(rng.permutation(D)), c.madeDegrees(D, hidden, rng)),
  );
  const m = c.buildMade(marginals, hidden, 600);
  let step = 0;
  let masks = members[0];
  logits = (x, training) => {
    if (training) masks = members[step++ % k];
    return c.madeLogits(m, training ? masks : members[0], x);
  };
  regularizer = () => penalty([m.W.mul(masks.hidden), m.V.mul(masks.output), m.A.mul(masks.direct)]);
  members.model = m;
} else if (model === 'pixelcnn') {
  const p = c.buildPixelCnn(c.PIXELCNN.channels, c.PIXELCNN.blocks, 800);
  logits = (x) => tf.tidy(() => c.pixelCnnLogits(p, x.reshape([-1, 28, 28, 1])).reshape([-1, D]));
} else throw new Error(`unknown model "${model}": fvsbn, nade, made, agnostic or pixelcnn`);

const nll = (x, training = false) => c.bernoulliNll(logits(x, training), x).mean();
const testNll = () => ku.evaluateInBatches(xTest, ([x]) => nll(x), 250);
/** The order-agnostic ensemble's test NLL (logsumexp over orderings) and its best member's. */
const ensemble = () =>
  tf.tidy(() => {
    const logp = tf.stack(
      members.map((mk) => c.bernoulliNll(c.madeLogits(members.model, mk, xTest), xTest).neg()),
    );
    const ens = logp.logSumExp(0).sub(Math.log(members.length)).mean().neg().dataSync()[0];
    return { ensemble: ens, bestMember: Math.min(...logp.mean(1).neg().dataSync()) };
  });
const t0 = performance.now();
const optimizer = tf.train.adam(lr);
await ku.fit({
  data: xTrain,
  epochs,
  batchSize: batch,
  optimizer,
  progress: false,
  loss: ([x]) => {
    const l = nll(x, true);
    return regularizer && l2 > 0 ? l.add(regularizer()) : l;
  },
  onEpochEnd: (epoch, row) => {
    if (opt.lastLr && epoch === epochs - 1) optimizer.learningRate = Number(opt.lastLr);
    if (epoch % every && epoch !== epochs) return;
    const scores = model === 'agnostic' ? ensemble() : { test: testNll() };
    const round = (v) => +v.toFixed(2);
    console.log(
      JSON.stringify({
        model, lr, l2, batch, ...opt, epoch, train: round(row.loss),
        ...Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round(v)])),
        seconds: round((performance.now() - t0) / 1000),
      }),
    );
  },
});

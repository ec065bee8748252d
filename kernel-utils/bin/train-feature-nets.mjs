// `npm run train:feature-nets [-- classifier|clip]`: train the book's feature networks on the
// embedded MNIST training split and write them to kernel-utils/feature-net/ (atomically, with
// meta.json holding the config, history and held-out numbers). The weights are committed; this
// script is how they were made. Seeded; on the same backend it reproduces them.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ku = require('../dist/index.js');
const tf = require('@tensorflow/tfjs');

const which = process.argv[2] ?? 'all';
if (!['all', 'classifier', 'clip'].includes(which)) {
  console.error('usage: train-feature-nets.mjs [all|classifier|clip]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', 'feature-net');

const report = await ku.initBackend();
console.log(ku.describeBackend(report));
const data = ku.loadEmbeddedMnist();
const { train, test } = data;
console.log(`data: ${data.source} — ${train.n} training, ${test.n} test digits`);

/** Each image moved by a random whole-pixel shift in −max…max (zeros enter at the edges). */
function randomShifts(images, n, rng, max = 2) {
  const out = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const dx = rng.int(2 * max + 1) - max,
      dy = rng.int(2 * max + 1) - max;
    for (let r = 0; r < 28; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= 28) continue;
      for (let c = 0; c < 28; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < 28) out[i * 784 + r * 28 + c] = images[i * 784 + sr * 28 + sc];
      }
    }
  }
  return out;
}

function accuracy(probs, labels) {
  return ku.conditionalAccuracy(probs, labels);
}

async function trainClassifier() {
  ku.seedEverything(2024);
  const config = {
    architecture: 'conv16-pool-conv32-pool-conv64-pool-dense128-dropout0.3-dense10',
    epochs: 30,
    batchSize: 64,
    learningRate: { 1: 1e-3, 16: 3e-4, 26: 1e-4 },
    augmentation: 'random shifts ±2 px',
    seed: 2024,
  };
  const model = ku.buildDigitClassifier();
  const optimizer = tf.train.adam(config.learningRate[1]);
  const rng = new ku.Rng(config.seed);
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
  const history = [];
  const t0 = Date.now();
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    if (config.learningRate[epoch]) optimizer.learningRate = config.learningRate[epoch]; // Adam reads it every step
    const x = tf.tensor4d(randomShifts(train.images, train.n, rng), [train.n, 28, 28, 1]);
    const [row] = await ku.fit({
      name: `digit classifier, epoch ${epoch}/${config.epochs}`,
      data: [x, y],
      optimizer,
      epochs: 1,
      batchSize: config.batchSize,
      seed: rng.int(1 << 30),
      progress: false,
      loss: ([xb, yb]) => {
        const p = model.apply(xb, { training: true });
        return tf.mean(tf.sum(tf.mul(yb, tf.log(tf.add(p, 1e-7))), -1)).neg();
      },
    });
    x.dispose();
    const net = { model, taps: ku.classifierTaps(model) };
    const probs = ku.digitFeatures(net, test.images).probs;
    const acc = accuracy(probs, test.labels);
    const is = ku.inceptionScore(probs).mean;
    history.push({
      epoch,
      loss: row.loss,
      testAccuracy: acc,
      testInceptionScore: is,
      seconds: row.seconds,
    });
    console.log(
      `classifier epoch ${epoch}: loss ${row.loss.toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%, IS of test digits ${is.toFixed(3)} (${row.seconds.toFixed(1)} s)`,
    );
  }
  y.dispose();
  const net = { model, taps: ku.classifierTaps(model) };
  const testProbs = ku.digitFeatures(net, test.images).probs;
  const testAccuracy = accuracy(testProbs, test.labels);
  const trainAccuracy = accuracy(ku.digitFeatures(net, train.images).probs, train.labels);
  const is = ku.inceptionScore(testProbs, { splits: 10 });
  const meta = {
    name: 'digit-classifier',
    config,
    history,
    testAccuracy,
    trainAccuracy,
    testInceptionScore: is,
    data: `${data.source}: ${train.n} train / ${test.n} test`,
    trainSeconds: (Date.now() - t0) / 1000,
  };
  await ku.saveCheckpoint(path.join(outDir, 'digit-classifier'), model, meta);
  console.log(
    `digit classifier: test accuracy ${(100 * testAccuracy).toFixed(2)}%, train ${(100 * trainAccuracy).toFixed(2)}%, IS of the test digits ${is.mean.toFixed(3)} ± ${is.std.toFixed(3)} → ${path.join(outDir, 'digit-classifier')}`,
  );
}

/** Stroke thickness label per image: ink within its class's lower / upper third → 'thin' / 'thick'. */
function strokeLabels(split) {
  const ink = new Float64Array(split.n);
  for (let i = 0; i < split.n; i++)
    for (let j = 0; j < 784; j++) ink[i] += split.images[i * 784 + j];
  const out = new Array(split.n).fill(null);
  for (let c = 0; c < 10; c++) {
    const idx = [];
    for (let i = 0; i < split.n; i++) if (split.labels[i] === c) idx.push(i);
    idx.sort((a, b) => ink[a] - ink[b]);
    idx.forEach((i, r) => {
      if (r < idx.length / 3) out[i] = 'thin';
      else if (r >= (2 * idx.length) / 3) out[i] = 'thick';
    });
  }
  return out;
}

async function trainClip() {
  ku.seedEverything(2025);
  const config = {
    imageTower: 'conv16s2-conv32s2-dense128-dense32',
    textTower: 'bag-of-words-dense64-dense32',
    epochs: 40,
    batchSize: 256,
    learningRate: 2e-3,
    loss: 'symmetric InfoNCE, images with identical captions count as positives',
    seed: 2025,
  };
  const clip = ku.buildDigitClip();
  const optimizer = tf.train.adam(config.learningRate);
  const rng = new ku.Rng(config.seed);
  const strokes = strokeLabels(train);
  const vocab = ku.CLIP_VOCABULARY.length;
  const history = [];
  const t0 = Date.now();
  const normalize = (t) => t.div(t.norm('euclidean', -1, true).add(1e-8));
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const order = rng.permutation(train.n);
    let sum = 0,
      steps = 0;
    const te = Date.now();
    for (let s = 0; s < train.n; s += config.batchSize) {
      const idx = order.subarray(s, Math.min(train.n, s + config.batchSize));
      const b = idx.length;
      const imgs = new Float32Array(b * 784);
      const bows = new Float32Array(b * vocab);
      const captions = [];
      idx.forEach((i, k) => {
        imgs.set(train.images.subarray(i * 784, (i + 1) * 784), k * 784);
        const cap = ku.digitCaption(
          train.labels[i],
          rng.uniform() < 0.5 ? strokes[i] : null,
          rng.int(6),
        );
        captions.push(cap);
        bows.set(ku.bagOfWords(cap), k * vocab);
      });
      const same = new Float32Array(b * b);
      for (let i = 0; i < b; i++)
        for (let j = 0; j < b; j++) same[i * b + j] = captions[i] === captions[j] ? 1 : 0;
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(imgs, [b, 28, 28, 1]);
        const t = tf.tensor2d(bows, [b, vocab]);
        const target = tf.tensor2d(same, [b, b]);
        const targetRows = target.div(target.sum(-1, true));
        return optimizer.minimize(() => {
          const ie = normalize(clip.image.apply(x, { training: true }));
          const tt = normalize(clip.text.apply(t, { training: true }));
          const logits = ie.matMul(tt, false, true).mul(clip.logScale.exp());
          const li = tf
            .sum(targetRows.mul(tf.logSoftmax(logits, -1)), -1)
            .mean()
            .neg();
          const lt = tf
            .sum(targetRows.mul(tf.logSoftmax(logits.transpose(), -1)), -1)
            .mean()
            .neg();
          return li.add(lt).div(2);
        }, true);
      });
      sum += loss.dataSync()[0];
      loss.dispose();
      steps++;
    }
    const zs = ku.clipZeroShot({ ...clip }, test.images);
    let hits = 0;
    for (let i = 0; i < test.n; i++) hits += zs[i] === test.labels[i] ? 1 : 0;
    const row = {
      epoch,
      loss: sum / steps,
      zeroShotAccuracy: hits / test.n,
      logitScale: Math.exp(clip.logScale.dataSync()[0]),
      seconds: (Date.now() - te) / 1000,
    };
    history.push(row);
    console.log(
      `clip epoch ${epoch}: loss ${row.loss.toFixed(4)}, zero-shot test accuracy ${(100 * row.zeroShotAccuracy).toFixed(2)}%, logit scale ${row.logitScale.toFixed(1)} (${row.seconds.toFixed(1)} s)`,
    );
  }
  // Held-out CLIP-scores: the right caption vs a caption naming another digit.
  const right = [],
    wrong = [];
  const tStrokes = strokeLabels(test);
  for (let i = 0; i < test.n; i++) {
    right.push(ku.digitCaption(test.labels[i], null, 0));
    wrong.push(ku.digitCaption((test.labels[i] + 1 + rng.int(9)) % 10, null, 0));
  }
  const matched = ku.digitClipScore(clip, test.images, right).mean;
  const mismatched = ku.digitClipScore(clip, test.images, wrong).mean;
  const thick = [],
    thin = [];
  for (let i = 0; i < test.n; i++)
    if (tStrokes[i]) (tStrokes[i] === 'thick' ? thick : thin).push(i);
  const last = history[history.length - 1];
  const meta = {
    name: 'digit-clip',
    config,
    history,
    zeroShotAccuracy: last.zeroShotAccuracy,
    logitScale: last.logitScale,
    testClipScore: { matchedCaption: matched, mismatchedDigit: mismatched },
    data: `${data.source}: ${train.n} train / ${test.n} test`,
    trainSeconds: (Date.now() - t0) / 1000,
  };
  await ku.saveCheckpoint(path.join(outDir, 'digit-clip'), [clip.image, clip.text], meta);
  console.log(
    `digit CLIP: zero-shot test accuracy ${(100 * last.zeroShotAccuracy).toFixed(2)}%, CLIP-score right caption ${matched.toFixed(3)} vs wrong digit ${mismatched.toFixed(3)} → ${path.join(outDir, 'digit-clip')}`,
  );
}

if (which === 'all' || which === 'classifier') await trainClassifier();
if (which === 'all' || which === 'clip') await trainClip();

// Trials behind chapter 16's text-to-image transformer: captions (thickness, slant, digit) then the
// 49 codes of a VQ-VAE, one decoder-only transformer over both.
//   node kernel-utils/experiments/text-to-image-recipes/transformer.mjs [key=value…]
// codes=path (a dump of vqvae.mjs: {K, train, trainLabels, test, testLabels}; its decoder weights
// beside it as <name>.weights.json) d=64 layers=2 heads=4 batch=64 lr=3e-3 steps=2000 n=1000
// temp=1 topk=32 seed=0 evalEvery=0
// Prints JSON lines. Run from the repo root.
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const opt = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const num = (k, d) => Number(opt[k] ?? d);
const D = num('d', 64),
  LAYERS = num('layers', 2),
  HEADS = num('heads', 4),
  BATCH = num('batch', 64);
const LR = num('lr', 3e-3),
  STEPS = num('steps', 2000),
  N = num('n', 1000);
const TEMP = num('temp', 1),
  TOPK = num('topk', 32),
  SEED = num('seed', 0);
const codesPath = opt.codes ?? '/tmp/d09/codes128.json';
const dump = JSON.parse(fs.readFileSync(codesPath, 'utf8'));
const K = dump.K;
ku.seedEverything(SEED);
const rng = new ku.Rng(SEED);
const mnist = ku.loadMnist();
const nTrain = mnist.train.n;

// captions: thickness and slant terciles within the class
const attrs = Array.from({ length: nTrain }, (_, i) =>
  ku.ch08.attributes(mnist.train.images.subarray(i * ku.PIXELS, (i + 1) * ku.PIXELS)),
);
const cuts = [];
for (let c = 0; c < 10; c++) {
  const ids = [...Array(nTrain).keys()].filter((i) => mnist.train.labels[i] === c);
  const q = (key, p) => {
    const v = ids.map((i) => attrs[i][key]).sort((a, b) => a - b);
    return v[Math.floor(p * (v.length - 1))];
  };
  cuts.push({
    thickness: [q('thickness', 1 / 3), q('thickness', 2 / 3)],
    slant: [q('slant', 1 / 3), q('slant', 2 / 3)],
  });
}
const WORDS = ['<bos>', '<none>', 'thin', 'thick', 'upright', 'slanted', ...ku.NUMBER_WORDS];
const W = Object.fromEntries(WORDS.map((w, i) => [w, i]));
const TEXT_V = WORDS.length,
  V = TEXT_V + K,
  L = 1 + 3 + 49;
const third = (v, [lo, hi]) => (v < lo ? 0 : v > hi ? 2 : 1);
const captionTokens = (i) => {
  const c = mnist.train.labels[i],
    cu = cuts[c];
  const t = third(attrs[i].thickness, cu.thickness),
    s = third(attrs[i].slant, cu.slant);
  return [
    W['<bos>'],
    [W.thin, W['<none>'], W.thick][t],
    [W.upright, W['<none>'], W.slanted][s],
    W[ku.NUMBER_WORDS[c]],
  ];
};
const seqs = new Int32Array(nTrain * L);
for (let i = 0; i < nTrain; i++) {
  seqs.set(captionTokens(i), i * L);
  for (let j = 0; j < 49; j++) seqs[i * L + 4 + j] = TEXT_V + dump.train[i * 49 + j];
}
if (dump.trainLabels.some((l, i) => i < nTrain && l !== mnist.train.labels[i]))
  throw new Error('labels differ');

// parameters
const P = {};
const w = (name, shape, sd) =>
  (P[name] = tf.variable(tf.tidy(() => tf.randomNormal(shape, 0, sd))));
const z = (name, shape, v = 0) => (P[name] = tf.variable(tf.tidy(() => tf.fill(shape, v))));
w('emb', [V, D], 0.02);
w('pos', [L - 1, D], 0.02);
for (let l = 0; l < LAYERS; l++) {
  z(`l${l}.ln1g`, [D], 1);
  z(`l${l}.ln1b`, [D]);
  w(`l${l}.qkv`, [D, 3 * D], Math.sqrt(1 / D));
  w(`l${l}.o`, [D, D], Math.sqrt(1 / D) / Math.sqrt(2 * LAYERS));
  z(`l${l}.ln2g`, [D], 1);
  z(`l${l}.ln2b`, [D]);
  w(`l${l}.fc`, [D, 4 * D], Math.sqrt(1 / D));
  z(`l${l}.fcb`, [4 * D]);
  w(`l${l}.proj`, [4 * D, D], Math.sqrt(1 / (4 * D)) / Math.sqrt(2 * LAYERS));
  z(`l${l}.projb`, [D]);
}
z('lnfg', [D], 1);
z('lnfb', [D]);
w('head', [D, K], Math.sqrt(1 / D) * 0.1);
z('headb', [K]);
const nParams = Object.values(P).reduce((a, v) => a + v.size, 0);
const ln = (x, g, b) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b);
};
const masks = {};
const maskOf = (T) =>
  (masks[T] ??= tf.keep(
    tf.tidy(() =>
      tf.linalg
        .bandPart(tf.ones([T, T]), -1, 0)
        .sub(1)
        .mul(1e9),
    ),
  ));
function attention(x, l) {
  // per head: slices of W_qkv, rank-3 batched matMuls (a rank-5 transpose costs ~57 ms here)
  const [B, T] = x.shape,
    dh = D / HEADS,
    xf = x.reshape([B * T, D]),
    Wqkv = P[`l${l}.qkv`];
  const heads = [];
  for (let h = 0; h < HEADS; h++) {
    const [q, k, v] = [0, 1, 2].map((j) =>
      xf.matMul(Wqkv.slice([0, j * D + h * dh], [D, dh])).reshape([B, T, dh]),
    );
    heads.push(tf.softmax(q.matMul(k, false, true).div(Math.sqrt(dh)).add(maskOf(T))).matMul(v));
  }
  return tf
    .concat(heads, 2)
    .reshape([B * T, D])
    .matMul(P[`l${l}.o`])
    .reshape([B, T, D]);
}
function forward(tokens) {
  // int32 B×T → logits over codes B×T×K
  const [B, T] = tokens.shape;
  let h = tf
    .oneHot(tokens.reshape([-1]), V)
    .matMul(P.emb)
    .reshape([B, T, D])
    .add(P.pos.slice([0, 0], [T, D]));
  for (let l = 0; l < LAYERS; l++) {
    h = h.add(attention(ln(h, P[`l${l}.ln1g`], P[`l${l}.ln1b`]), l));
    const m = ln(h, P[`l${l}.ln2g`], P[`l${l}.ln2b`]).reshape([B * T, D]);
    h = h.add(
      tf
        .relu(m.matMul(P[`l${l}.fc`]).add(P[`l${l}.fcb`]))
        .matMul(P[`l${l}.proj`])
        .add(P[`l${l}.projb`])
        .reshape([B, T, D]),
    );
  }
  return ln(h, P.lnfg, P.lnfb)
    .reshape([B * T, D])
    .matMul(P.head)
    .add(P.headb)
    .reshape([B, T, K]);
}
const seqTensor = tf.tensor2d(seqs, [nTrain, L], 'int32');
function loss(idx) {
  const batch = tf.gather(seqTensor, idx);
  const inp = batch.slice([0, 0], [-1, L - 1]);
  const target = batch.slice([0, 4], [-1, 49]).sub(tf.scalar(TEXT_V, 'int32'));
  const logits = forward(inp).slice([0, 3, 0], [-1, 49, K]);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(target.reshape([-1]), K), logits.reshape([-1, K]));
}
const optim = tf.train.adam(LR);
const t0 = Date.now();
for (let s = 0; s < STEPS; s++) {
  // linear warm-up over 100 steps, cosine decay to 10% afterwards
  const lr =
    LR * Math.min(1, (s + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * s) / STEPS)));
  optim.learningRate = lr;
  const idx = tf.tensor1d(
    Array.from({ length: BATCH }, () => rng.int(nTrain)),
    'int32',
  );
  const l = optim.minimize(() => loss(idx), true, Object.values(P));
  if (s % 200 === 0 || s === STEPS - 1)
    console.log(
      JSON.stringify({
        step: s,
        loss: l.dataSync()[0],
        seconds: (Date.now() - t0) / 1000,
        tensors: tf.memory().numTensors,
      }),
    );
  tf.dispose([l, idx]);
}
const trainSeconds = (Date.now() - t0) / 1000;
// test loss (nats per code)
const testSeqs = []; // test captions need test attributes
{
  const nTest = mnist.test.n;
  const arr = new Int32Array(nTest * L);
  for (let i = 0; i < nTest; i++) {
    const img = mnist.test.images.subarray(i * ku.PIXELS, (i + 1) * ku.PIXELS),
      a = ku.ch08.attributes(img),
      c = mnist.test.labels[i],
      cu = cuts[c];
    arr.set(
      [
        W['<bos>'],
        [W.thin, W['<none>'], W.thick][third(a.thickness, cu.thickness)],
        [W.upright, W['<none>'], W.slanted][third(a.slant, cu.slant)],
        W[ku.NUMBER_WORDS[c]],
      ],
      i * L,
    );
    for (let j = 0; j < 49; j++) arr[i * L + 4 + j] = TEXT_V + dump.test[i * 49 + j];
  }
  testSeqs.push(tf.tensor2d(arr, [nTest, L], 'int32'));
}
const testLoss = tf.tidy(() => {
  const b = testSeqs[0];
  const logits = forward(b.slice([0, 0], [-1, L - 1])).slice([0, 3, 0], [-1, 49, K]);
  const target = b.slice([0, 4], [-1, 49]).sub(tf.scalar(TEXT_V, 'int32'));
  return tf.losses
    .softmaxCrossEntropy(tf.oneHot(target.reshape([-1]), K), logits.reshape([-1, K]))
    .dataSync()[0];
});

// sampling: prompts = random training captions, digit i % 10
const prompts = [];
for (let i = 0; i < N; i++) {
  const c = i % 10;
  let j;
  do j = rng.int(nTrain);
  while (mnist.train.labels[j] !== c);
  prompts.push(captionTokens(j));
}
const wts = JSON.parse(fs.readFileSync(codesPath.replace(/\.json$/, '.weights.json'), 'utf8'));
const clip = await ku.loadDigitClip();
const SWEEP = (opt.sweep ?? `${TEMP}:${TOPK}`).split(',').map((p) => p.split(':').map(Number));
for (const [TEMP, TOPK] of SWEEP) {
  const t1 = Date.now();
  let tokens = tf.tensor2d(prompts.flat(), [N, 4], 'int32');
  for (let j = 0; j < 49; j++) {
    const next = tf.tidy(() => {
      const logits = forward(tokens)
        .slice([0, tokens.shape[1] - 1, 0], [-1, 1, K])
        .reshape([N, K])
        .div(TEMP);
      const kth = tf.topk(logits, TOPK).values.slice([0, TOPK - 1], [-1, 1]);
      const masked = tf.where(logits.less(kth), tf.fill(logits.shape, -1e9), logits);
      return tf.multinomial(masked, 1).toInt().add(tf.scalar(TEXT_V, 'int32'));
    });
    const grown = tf.concat([tokens, next], 1);
    tf.dispose([tokens, next]);
    tokens = grown;
  }
  const sampleSeconds = (Date.now() - t1) / 1000;
  // decode with the dump's decoder
  const Q = Object.fromEntries(
    Object.entries(wts).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]),
  );
  const conv = (h, wk, b) => tf.conv2d(h, Q[wk], 1, 'same').add(Q[b]);
  const up = (h, wk, b, c, size) =>
    tf.conv2dTranspose(h, Q[wk], [h.shape[0], size, size, c], 2, 'same').add(Q[b]);
  const decode = (idx) =>
    tf.tidy(() => {
      const q = tf.gather(Q.codebook, idx.reshape([-1])).reshape([-1, 7, 7, Q.codebook.shape[1]]);
      let h = conv(q, 'd1', 'd1b');
      h = h.add(conv(tf.relu(h), 'd2', 'd2b'));
      h = tf.relu(up(tf.relu(h), 'd3', 'd3b', Q.d3.shape[2], 14));
      return tf.sigmoid(up(h, 'd4', 'd4b', 1, 28)).reshape([-1, 28, 28]);
    });
  const codesOut = tf.tidy(() => tokens.slice([0, 4], [-1, 49]).sub(tf.scalar(TEXT_V, 'int32')));
  const images = decode(codesOut);
  const imgData = images.dataSync();
  const asked = Int32Array.from(prompts.map((p) => p[3] - W.zero));
  const real = { data: mnist.train.images.subarray(0, 1000 * ku.PIXELS), shape: [1000, 28, 28] };
  const ev = await ku.evaluateSamples(
    real,
    { data: imgData, shape: [N, 28, 28] },
    { fakeLabels: asked, realName: 'train', fakeName: 'samples' },
  );
  // CLIP right vs wrong digit (thickness adjective if asked)
  const stroke = (p) => (p[1] === W.thick ? 'thick' : p[1] === W.thin ? 'thin' : null);
  const right = prompts.map((p, i) => ku.digitCaption(p[3] - W.zero, stroke(p), i));
  const wrong = prompts.map((p, i) =>
    ku.digitCaption((p[3] - W.zero + 1 + (i % 9)) % 10, stroke(p), i),
  );
  const sr = ku.digitClipScore(clip, imgData, right).scores,
    sw = ku.digitClipScore(clip, imgData, wrong).scores;
  const clipWin = ku.mean(Array.from(sr, (v, i) => (v > sw[i] ? 1 : 0)));
  // attribute agreement: measured third vs asked, for prompts that ask
  const agree = { thickness: [], slant: [], thicknessMedian: [], slantMedian: [] };
  for (let i = 0; i < N; i++) {
    const a = ku.ch08.attributes(imgData.subarray(i * ku.PIXELS, (i + 1) * ku.PIXELS)),
      c = asked[i],
      cu = cuts[c];
    const p = prompts[i];
    if (p[1] !== W['<none>']) {
      const want = p[1] === W.thick ? 2 : 0,
        got = third(a.thickness, cu.thickness);
      agree.thickness.push(got === want ? 1 : 0);
      agree.thicknessMedian.push(
        a.thickness > (cu.thickness[0] + cu.thickness[1]) / 2 === (want === 2) ? 1 : 0,
      );
    }
    if (p[2] !== W['<none>']) {
      const want = p[2] === W.slanted ? 2 : 0,
        got = third(a.slant, cu.slant);
      agree.slant.push(got === want ? 1 : 0);
      agree.slantMedian.push(a.slant > (cu.slant[0] + cu.slant[1]) / 2 === (want === 2) ? 1 : 0);
    }
  }
  console.log(
    JSON.stringify({
      codes: codesPath,
      K,
      d: D,
      layers: LAYERS,
      heads: HEADS,
      batch: BATCH,
      lr: LR,
      steps: STEPS,
      params: nParams,
      trainSeconds,
      stepsPerSec: STEPS / trainSeconds,
      testNatsPerCode: testLoss,
      sampleSeconds,
      n: N,
      temp: TEMP,
      topk: TOPK,
      condAcc: ev.conditionalAccuracy,
      kid: ev.kid.mean,
      fid: ev.fid,
      clipRightOverWrong: clipWin,
      thicknessThird: ku.mean(agree.thickness),
      slantThird: ku.mean(agree.slant),
      thicknessSide: ku.mean(agree.thicknessMedian),
      slantSide: ku.mean(agree.slantMedian),
    }),
  );
}

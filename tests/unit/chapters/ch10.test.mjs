// Chapter 10's GAN identities, on the chapter's own code (ku.ch10, exported from its // @save
// cells): the optimal discriminator D* = p/(p+q), V(G, D*) = −log 4 + 2·JSD, the losses, the
// ring of Gaussians and its coverage measure, and the DCGAN's sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch10;
// float64 quadrature on one grid: the identity holds pointwise, so only rounding is left
const IDENTITY_TOL = 1e-9;

function grid(from, to, step) {
  return Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
}

const PAIRS = [
  [
    { mean: 0, sd: 1 },
    { mean: 2, sd: 0.8 },
  ],
  [
    { mean: 0, sd: 1 },
    { mean: 0, sd: 1 },
  ], // p_g = p_data: V = −log 4, JSD = 0
  [
    { mean: -1, sd: 0.5 },
    { mean: 3, sd: 2 },
  ],
  [
    { mean: 0, sd: 0.3 },
    { mean: 6, sd: 0.3 },
  ], // almost disjoint: JSD → log 2
];

for (const [p, q] of PAIRS) {
  test(`V(G, D*) = −log 4 + 2·JSD and D* beats other discriminators: N(${p.mean}, ${p.sd}²) vs N(${q.mean}, ${q.sd}²)`, () => {
    const xs = grid(-15, 20, 0.002);
    const pd = xs.map((x) => c.normalPdf(x, p.mean, p.sd));
    const pg = xs.map((x) => c.normalPdf(x, q.mean, q.sd));
    const logit = xs.map((x) => c.logNormalPdf(x, p.mean, p.sd) - c.logNormalPdf(x, q.mean, q.sd));
    const v = c.valueFunction(pd, pg, logit, 0.002);
    const jsd = c.jensenShannon(pd, pg, 0.002);
    assert.ok(Math.abs(v - (-Math.log(4) + 2 * jsd)) <= IDENTITY_TOL, `${v} vs ${jsd}`);
    assert.ok(jsd >= -IDENTITY_TOL && jsd <= Math.log(2) + IDENTITY_TOL, `JSD ${jsd}`);
    // D* = σ(logit) is the closed form p / (p + q)
    const i = xs.findIndex((x) => x >= p.mean);
    assert.ok(
      Math.abs(Math.exp(c.logSigmoid(logit[i])) - c.optimalDiscriminator(pd[i], pg[i])) < 1e-12,
    );
    // any other discriminator does no better: the logit shifted either way (strictly worse
    // where the densities overlap; on disjoint ones D* is ~0 or ~1 and a shift changes nothing)
    for (const other of [logit.map((l) => l + 0.5), logit.map((l) => l - 0.5)]) {
      const vOther = c.valueFunction(pd, pg, other, 0.002);
      assert.ok(vOther <= v + 1e-12, `${vOther} > ${v}`);
      if (jsd < 0.6) assert.ok(vOther < v - 1e-6, `${vOther} not below ${v}`);
    }
  });
}

test('JSD of identical densities is 0; of disjoint ones, log 2', () => {
  const xs = grid(-10, 30, 0.002);
  const a = xs.map((x) => c.normalPdf(x, 0, 0.5));
  const b = xs.map((x) => c.normalPdf(x, 20, 0.5));
  assert.ok(Math.abs(c.jensenShannon(a, a, 0.002)) < 1e-12);
  assert.ok(Math.abs(c.jensenShannon(a, b, 0.002) - Math.log(2)) < 1e-9);
});

test("the losses: D's is −V on logits, G's saturating and non-saturating forms", () => {
  const lr = tf.tensor1d([2, -1, 0.5]);
  const lf = tf.tensor1d([-3, 0.2]);
  const sp = (x) => Math.log1p(Math.exp(x));
  const d = c.discriminatorLoss(lr, lf).dataSync()[0];
  assert.ok(Math.abs(d - ((sp(-2) + sp(1) + sp(-0.5)) / 3 + (sp(-3) + sp(0.2)) / 2)) < 1e-6);
  const ns = c.generatorLoss(lf, 'non-saturating').dataSync()[0];
  const sat = c.generatorLoss(lf, 'saturating').dataSync()[0];
  // −E log D(G(z)) and E log(1 − D(G(z))), with D = σ(l)
  assert.ok(Math.abs(ns - (sp(3) + sp(-0.2)) / 2) < 1e-6);
  assert.ok(Math.abs(sat - -(sp(-3) + sp(0.2)) / 2) < 1e-6);
  tf.dispose([lr, lf]);
});

test('the ring has 8 distinct modes; coverage counts modes and high-quality samples', () => {
  const centres = c.ringCentres(8, 2);
  assert.equal(centres.length, 8);
  for (let i = 0; i < 8; i++)
    for (let j = 0; j < i; j++)
      assert.ok(Math.hypot(centres[i][0] - centres[j][0], centres[i][1] - centres[j][1]) > 1.5);
  const all = centres.flatMap(([x, y]) =>
    Array(50)
      .fill([x + 0.01, y])
      .flat(),
  );
  const full = c.ringCoverage(all, centres, 0.05);
  assert.equal(full.modesCovered, 8);
  assert.equal(full.highQuality, 1);
  // everything on one mode, plus far-off points: one mode, half the samples high-quality
  const collapsed = [...Array(100).fill(centres[3]).flat(), ...Array(100).fill([0, 0]).flat()];
  const one = c.ringCoverage(collapsed, centres, 0.05);
  assert.equal(one.modesCovered, 1);
  assert.equal(one.highQuality, 0.5);
});

test('the DCGAN at the reference width has the reference sizes (G 778,305; D 138,561)', () => {
  const g = c.dcganGenerator(100, 64);
  const d = c.dcganDiscriminator(64);
  assert.equal(g.countParams() - 2 * (7 * 7 * 128 + 64), 778305); // minus BatchNorm's moving stats
  assert.equal(d.countParams(), 138561);
  const out = tf.tidy(() => g.predict(tf.zeros([2, 100])));
  assert.deepEqual(out.shape, [2, 28, 28, 1]);
  const v = out.dataSync();
  assert.ok(
    v.every((x) => x >= 0 && x <= 1),
    'samples lie in [0, 1]',
  );
  tf.dispose([out]);
  g.dispose();
  d.dispose();
});

test("an AC-GAN's D output splits into the real/fake logit and class logits; its class loss", () => {
  const out = tf.tensor2d([
    [0.5, 2, -1, 0],
    [-1, 0, 0, 3],
  ]);
  const { logit, classes } = c.dOutputs(out, 3);
  assert.deepEqual(Array.from(logit.dataSync()), [0.5, -1]);
  assert.deepEqual(classes.shape, [2, 3]);
  // −mean log softmax(classes)_y, written out for y = 0 and y = 2
  const y = tf.tensor2d([
    [1, 0, 0],
    [0, 0, 1],
  ]);
  const lse = (r) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
  const want = (lse([2, -1, 0]) - 2 + (lse([0, 0, 3]) - 3)) / 2;
  assert.ok(Math.abs(c.auxiliaryClassLoss(classes, y).dataSync()[0] - want) < 1e-6);
  // a plain D (k = 0): the output is the logit
  assert.equal(c.dOutputs(logit, 0).logit, logit);
  tf.dispose([out, logit, classes, y]);
});

test('a GAN step (plain and AC-GAN) returns four finite numbers and leaks no tensor', () => {
  const latent = 4;
  for (const aux of [0, 3]) {
    const g = tf.sequential({ layers: [tf.layers.dense({ inputShape: [latent + 3], units: 2 })] });
    const d = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 + aux })] });
    // G takes (z, y) as one concatenated input here: a Gan written by hand, D shown no labels
    const gan = {
      generate: (z, y) => g.apply(tf.concat([z, y], 1)),
      discriminate: (x) => d.apply(x),
      gVars: c.variablesOf(g),
      dVars: c.variablesOf(d),
      latent,
      auxiliaryClasses: aux,
    };
    const onehot = (n) => tf.oneHot(tf.tensor1d([0, 1, 2, 0].slice(0, n), 'int32'), 3);
    const t = {
      name: 't',
      steps: 1,
      batch: 4,
      realBatch: (n) => ({ x: tf.randomNormal([n, 2]), labels: onehot(n) }),
      requestLabels: onehot,
      learningRate: 1e-3,
      beta1: 0.5,
      logEvery: 1,
      auxiliaryWeight: 2,
    };
    const [optD, optG] = [tf.train.adam(1e-3), tf.train.adam(1e-3)];
    c.ganStep(gan, t, optD, optG).dispose(); // the optimizers' slots are made on the first step
    const before = tf.memory().numTensors;
    const row = c.ganStep(gan, t, optD, optG);
    const v = Array.from(row.dataSync());
    row.dispose();
    assert.equal(tf.memory().numTensors, before, `AC-GAN classes ${aux}: tensors leaked`);
    assert.equal(v.length, 4);
    assert.ok(v.every(Number.isFinite), String(v));
    assert.ok(v[2] > 0 && v[2] < 1 && v[3] > 0 && v[3] < 1, 'mean D(x), D(G(z)) are in (0, 1)');
    [optD, optG, g, d].forEach((o) => o.dispose());
  }
});

// Chapter 05's pieces, on the chapter's own code (ku.ch05, exported from its // @save cells): the
// change-of-variables formula on the logit and on a random RealNVP (histograms of samples against
// the corrected density), log|det J| against finite differences, inverses, the permutation's
// gradient, the toy sets' true densities, the bits/dim conversion, and a short training run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

const c = ku.ch05;

/** A random RealNVP: the spec's flow with every coupling's last layer drawn with sd `sd`. */
function randomFlow(d, spec, sd, seed) {
  const flow = c.buildRealNvp(d, spec);
  flow.couplings.forEach((cp, k) => {
    const layer = cp.net.layers[2];
    const w = layer
      .getWeights()
      .map((v, i) => tf.randomNormal(v.shape, 0, sd, 'float32', seed + 2 * k + i));
    layer.setWeights(w);
    tf.dispose(w);
  });
  return flow;
}
const disposeFlow = (flow) => flow.couplings.forEach((cp) => cp.net.dispose());

/** log|det A| by Gaussian elimination with partial pivoting. */
function logAbsDet(A) {
  const a = A.map((r) => [...r]);
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    let p = k;
    for (let i = k + 1; i < a.length; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    [a[k], a[p]] = [a[p], a[k]];
    s += Math.log(Math.abs(a[k][k]));
    for (let i = k + 1; i < a.length; i++) {
      const m = a[i][k] / a[k][k];
      for (let j = k; j < a.length; j++) a[i][j] -= m * a[k][j];
    }
  }
  return s;
}

/** log|det| of map's Jacobian at each row of x by central differences (float32: h = 1e-2). */
function fdLogDets(map, x, h = 1e-2) {
  const [n, d] = x.shape;
  const cols = Array.from({ length: d }, (_, j) =>
    tf.tidy(() => {
      const e = tf.oneHot([j], d).mul(h);
      return map(x.add(e))
        .sub(map(x.sub(e)))
        .div(2 * h)
        .arraySync();
    }),
  );
  return Array.from({ length: n }, (_, i) =>
    logAbsDet(Array.from({ length: d }, (_, r) => cols.map((col) => col[i][r]))),
  );
}

test('change of variables in 1-D: the logit of uniform x has density |dy/dx|⁻¹', async () => {
  await backend();
  // x ~ U[0, 1), y = logit(α + (1 − 2α)x): p_Y(y) = 1 / |dy/dx| = exp(−logDet) at x = f⁻¹(y)
  const alpha = 0.05,
    n = 200000;
  const y = tf.tidy(() =>
    c.logitTransform(tf.randomUniform([n, 1], 0, 1, 'float32', 7), alpha).y.dataSync(),
  );
  const [lo, hi, bins] = [-2.9, 2.9, 29];
  const width = (hi - lo) / bins;
  const counts = new Array(bins).fill(0);
  for (const v of y) {
    const b = Math.floor((v - lo) / width);
    if (b >= 0 && b < bins) counts[b]++;
  }
  // P(bin) by the midpoint rule on 20 sub-points, density from the chapter's logit and its inverse
  const sub = Array.from({ length: bins * 20 }, (_, i) => lo + (i + 0.5) * (width / 20));
  const dens = tf.tidy(() => {
    const x = c.inverseLogit(tf.tensor2d(sub, [sub.length, 1]), alpha);
    return c.logitTransform(x, alpha).logDet.neg().exp().dataSync();
  });
  counts.forEach((count, b) => {
    let p = 0;
    for (let s = 0; s < 20; s++) p += dens[b * 20 + s] * (width / 20);
    const z = (count - n * p) / Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(z) < 5, `bin ${b}: ${count} samples, expected ${n * p} (z = ${z})`);
  });
});

test('change of variables in 2-D: samples of a random RealNVP follow exp(flowLogDensity)', async () => {
  await backend();
  const flow = randomFlow(
    2,
    { couplings: 4, hidden: 8, logScaleBound: 2, activation: 'tanh' },
    0.3,
    40,
  );
  const n = 100000;
  const s = tf.tidy(() => c.sampleFlow(flow, n, 41).dataSync());
  const [lo, width, bins] = [-3, 0.5, 12];
  const counts = new Array(bins * bins).fill(0);
  for (let i = 0; i < n; i++) {
    const [bx, by] = [Math.floor((s[2 * i] - lo) / width), Math.floor((s[2 * i + 1] - lo) / width)];
    if (bx >= 0 && bx < bins && by >= 0 && by < bins) counts[by * bins + bx]++;
  }
  // P(bin): the midpoint rule on 10 × 10 sub-cells of the flow's density
  const m = 10,
    h = width / m;
  const pts = [];
  for (let by = 0; by < bins; by++)
    for (let bx = 0; bx < bins; bx++)
      for (let j = 0; j < m; j++)
        for (let i = 0; i < m; i++)
          pts.push(lo + bx * width + (i + 0.5) * h, lo + by * width + (j + 0.5) * h);
  const dens = tf.tidy(() =>
    c
      .flowLogDensity(flow, tf.tensor2d(pts, [pts.length / 2, 2]))
      .exp()
      .dataSync(),
  );
  let worst = 0;
  for (let b = 0; b < bins * bins; b++) {
    let p = 0;
    for (let q = 0; q < m * m; q++) p += dens[b * m * m + q] * h * h;
    if (n * p < 20) continue;
    worst = Math.max(worst, Math.abs((counts[b] - n * p) / Math.sqrt(n * p * (1 - p))));
  }
  disposeFlow(flow);
  assert.ok(worst < 5, `largest |z| over the bins: ${worst}`);
});

test('log|det J| of a coupling and of a permuted flow equals the finite-difference Jacobian', async () => {
  await backend();
  ku.seedEverything(5); // the hidden layers' initial weights
  const coupling = c.affineCoupling(4, 16, 2, 'tanh');
  const last = coupling.net.layers[2];
  const w = last.getWeights().map((v, i) => tf.randomNormal(v.shape, 0, 0.4, 'float32', 20 + i));
  last.setWeights(w);
  tf.dispose(w);
  const flow = randomFlow(
    6,
    {
      couplings: 3,
      hidden: 16,
      logScaleBound: 2,
      // smooth: finite differences across a ReLU's kink would miss the derivative
      activation: 'tanh',
      permutation: (k) => (k === 1 ? [3, 0, 5, 1, 4, 2] : null),
    },
    0.3,
    30,
  );
  const x4 = tf.randomNormal([5, 4], 0, 1, 'float32', 21);
  const x6 = tf.randomNormal([5, 6], 0, 1, 'float32', 22);
  const gaps = tf.tidy(() => {
    const own4 = c.couplingForward(coupling, x4).logDet.arraySync();
    const fd4 = fdLogDets((x) => c.couplingForward(coupling, x).y, x4);
    const own6 = c.flowForward(flow, x6).logDet.arraySync();
    const fd6 = fdLogDets((x) => c.flowForward(flow, x).z, x6);
    return [
      Math.max(...own4.map((v, i) => Math.abs(v - fd4[i]))),
      Math.max(...own6.map((v, i) => Math.abs(v - fd6[i]))),
    ];
  });
  assert.ok(gaps[0] < 1e-3 && gaps[1] < 1e-3, `gaps: ${gaps}`);
  // and the inverses undo the maps
  const back = tf.tidy(() => [
    c
      .couplingInverse(coupling, c.couplingForward(coupling, x4).y)
      .sub(x4)
      .abs()
      .max()
      .dataSync()[0],
    c.flowInverse(flow, c.flowForward(flow, x6).z).sub(x6).abs().max().dataSync()[0],
  ]);
  assert.ok(back[0] < 1e-5 && back[1] < 1e-5, `inverse gaps: ${back}`);
  tf.dispose([x4, x6]);
  coupling.net.dispose();
  disposeFlow(flow);
});

test("permuteColumns' gradient is tf.gather's, and flowPermutation rejects a non-permutation", async () => {
  await backend();
  const p = c.flowPermutation([2, 0, 3, 1]);
  const x = tf.randomNormal([3, 4], 0, 1, 'float32', 9);
  const w = tf.randomNormal([3, 4], 0, 1, 'float32', 10);
  const ours = tf.grad((a) => c.permuteColumns(a, p).mul(w).sum())(x);
  const theirs = tf.grad((a) => tf.gather(a, p.order, 1).mul(w).sum())(x);
  const gap = tf.tidy(() => ours.sub(theirs).abs().max().dataSync()[0]);
  tf.dispose([x, w, ours, theirs]);
  assert.equal(gap, 0);
  assert.throws(() => c.flowPermutation([0, 0, 1]), /not a permutation/);
  assert.throws(() => c.affineCoupling(3, 8, 2, 'tanh'), /even number/);
});

test("the toy sets' true densities: the moons' quadrature is the sampler's mixture; both integrate to 1", () => {
  const test = ku.makeMoons(400, 0.05, 3);
  const quad = c.moonsLogDensity(test.x, 0.05, 2000);
  const sampler = c.isotropicMixtureLogDensity(test.x, ku.makeMoons(400, 0, 3).x, 0.05);
  // 200 points per arc at spacing π/199 ≈ 0.016 against sd 0.05: close, not equal
  assert.ok(
    Math.abs(ku.mean(quad) - ku.mean(sampler)) < 2e-3,
    `${ku.mean(quad)} vs ${ku.mean(sampler)}`,
  );
  const step = 0.01;
  const grid = [];
  for (let y = -3 + step / 2; y < 3; y += step)
    for (let x = -3 + step / 2; x < 3; x += step) grid.push(x, y);
  const mass = (logP) => logP.reduce((s, v) => s + Math.exp(v), 0) * step * step;
  const moons = mass(c.moonsLogDensity(grid, 0.1, 200));
  const ring = mass(c.ringLogDensity(grid, 8, 2, 0.05));
  assert.ok(
    Math.abs(moons - 1) < 1e-4 && Math.abs(ring - 1) < 1e-4,
    `∫ p: moons ${moons}, ring ${ring}`,
  );
  // the ring's density at a centre: (1/8) N(0; 0, 0.05²I) plus negligible neighbours
  const atCentre = c.ringLogDensity([2, 0], 8, 2, 0.05)[0];
  assert.ok(Math.abs(atCentre - (Math.log(1 / 8) - Math.log(2 * Math.PI * 0.0025))) < 1e-9);
});

test('bits/dim: 8 for the uniform cube; the tensor loss equals bitsPerDim of the mean NLL', async () => {
  await backend();
  assert.equal(c.bitsPerDim(0, 784), 8);
  // a density of e^(−d) on [0, 1)^d is d nats worse: 1/ln 2 bits per dimension more
  assert.ok(Math.abs(c.bitsPerDim(10, 10) - (8 + 1 / Math.LN2)) < 1e-12);
  const flow = randomFlow(
    8,
    { couplings: 2, hidden: 8, logScaleBound: 2, activation: 'relu' },
    0.3,
    50,
  );
  const levels = tf.tidy(() => tf.randomUniform([16, 8], 0, 256, 'int32', 51).cast('float32'));
  const [loss, viaNll] = tf.tidy(() => [
    c.dequantizedBitsPerDim(flow, levels, 0.05, 52).dataSync()[0],
    c.bitsPerDim(c.dequantizedNll(flow, c.dequantize(levels, 52), 0.05).mean().dataSync()[0], 8),
  ]);
  assert.ok(Math.abs(loss - viaNll) < 1e-4, `${loss} vs ${viaNll}`);
  // dequantized values stay in their level's bin
  const x = tf.tidy(() => c.dequantize(levels, 53).mul(256).sub(levels).arraySync().flat());
  assert.ok(x.every((u) => u >= 0 && u < 1));
  tf.dispose(levels);
  disposeFlow(flow);
});

test('trainFlow lowers the test NLL of a 2-D flow and leaks no tensors', async () => {
  await backend();
  const moons = ku.makeMoons(400, 0.1, 1),
    held = ku.makeMoons(400, 0.1, 2);
  const train = tf.tensor2d(moons.x, [400, 2]),
    testX = tf.tensor2d(held.x, [400, 2]);
  const flow = c.buildRealNvp(2, {
    couplings: 4,
    hidden: 16,
    logScaleBound: 2,
    activation: 'tanh',
  });
  const before = tf.memory().numTensors;
  const history = await c.trainFlow(flow, {
    name: 'test flow',
    train,
    test: testX,
    epochs: 30,
    batchSize: 100,
    learningRate: 3e-3,
    evalEvery: 10,
  });
  assert.equal(tf.memory().numTensors, before, 'tensors left behind by trainFlow');
  const tests = history.filter((r) => typeof r.test === 'number').map((r) => r.test);
  assert.equal(tests.length, 3);
  // the identity flow starts at the N(0, I) NLL of the data; training must lower it
  // −(1/n) Σ log N(x_i; 0, I) = mean ½|x|² + log 2π
  let start = Math.log(2 * Math.PI);
  for (let i = 0; i < 400; i++) start += (held.x[2 * i] ** 2 + held.x[2 * i + 1] ** 2) / 800;
  assert.ok(tests[2] < start - 0.3, `test NLL ${tests} from ${start}`);
  tf.dispose([train, testX]);
  disposeFlow(flow);
});

test("fitMixture2d follows ku.fitGaussianMixture's EM, and mixtureLogDensity2d its density", async () => {
  await backend();
  const moons = ku.makeMoons(300, 0.1, 3);
  const x = tf.tensor2d(moons.x, [300, 2]);
  const opts = { covariance: 'full', seed: 4 };
  const ref = ku.fitGaussianMixture(x, { k: 5, iterations: 20, tolerance: 0, ...opts });
  const init = ku.initGaussianMixture(x, 5, opts);
  const mine = c.fitMixture2d(moons.x, init, { iterations: 20, tolerance: 0, ridge: 1e-6 });
  assert.equal(mine.logLikelihoods.length, ref.logLikelihoods.length);
  // float64 JS against float32 tensors: the same iterates to float32's precision
  mine.logLikelihoods.forEach((v, t) =>
    assert.ok(
      Math.abs(v - ref.logLikelihoods[t]) < 1e-4,
      `iteration ${t}: ${v} vs ${ref.logLikelihoods[t]}`,
    ),
  );
  const refLogP = tf.tidy(() => ku.mixtureLogDensity(x, ref.model).dataSync());
  const myLogP = c.mixtureLogDensity2d(moons.x, ref.model);
  refLogP.forEach((v, i) =>
    assert.ok(Math.abs(v - myLogP[i]) < 1e-4, `row ${i}: ${v} vs ${myLogP[i]}`),
  );
  x.dispose();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

const close = (a, b, tol, msg) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b} (tol ${tol})`);
const APPLES = [0.37, 0.6, 0.03]; // green, red, blue apples of seed 003

test('inverse-CDF sampling maps u to the first category whose CDF exceeds it; frequencies converge', () => {
  const cdf = ku.cumulativeDistribution(APPLES);
  assert.deepEqual(
    [0, 0.369, 0.37, 0.969, 0.97, 0.9999].map((u) => ku.inverseCdf(cdf, u)),
    [0, 0, 1, 1, 2, 2],
  );
  const f = ku.frequencies(ku.sampleCategorical(APPLES, 200000, new ku.Rng(1)), 3);
  f.forEach((v, i) => close(v, APPLES[i], 0.005, `category ${i}`));
  assert.throws(() => ku.cumulativeDistribution([0.5, 0.6]), /sum to 1\.1/);
  assert.throws(() => ku.cumulativeDistribution([1.5, -0.5]), /must be ≥ 0/);
});

test('KL(p̂ ‖ q) = −H(p̂) − mean log q(xᵢ): minimizing KL is maximizing the log-likelihood', () => {
  const rng = new ku.Rng(2);
  const xs = ku.sampleCategorical(APPLES, 1000, rng);
  const pHat = ku.frequencies(xs, 3);
  for (let t = 0; t < 20; t++) {
    const raw = [rng.uniform() + 0.01, rng.uniform() + 0.01, rng.uniform() + 0.01];
    const q = raw.map((v) => v / raw.reduce((a, b) => a + b));
    const meanLogLik = Array.from(xs, (x) => Math.log(q[x])).reduce((a, b) => a + b) / xs.length;
    close(ku.klDivergence(pHat, q), -ku.entropy(pHat) - meanLogLik, 1e-12, 'identity');
    close(
      ku.klDivergence(pHat, q),
      ku.crossEntropy(pHat, q) - ku.entropy(pHat),
      1e-12,
      'KL = H(p,q) − H(p)',
    );
    assert.ok(ku.klDivergence(pHat, q) >= 0);
  }
  assert.equal(ku.klDivergence(pHat, pHat), 0);
  assert.notEqual(
    ku.klDivergence([0.9, 0.1], [0.5, 0.5]).toFixed(6),
    ku.klDivergence([0.5, 0.5], [0.9, 0.1]).toFixed(6),
  );
  assert.equal(ku.klDivergence([0.5, 0.5], [1, 0]), Infinity);
  close(ku.logSumExp([1000, 1000]), 1000 + Math.log(2), 1e-9, 'logSumExp stable');
  assert.equal(ku.logSumExp([-Infinity, -Infinity]), -Infinity);
});

test('ROC-AUC equals the pairwise probability P(pos > neg) + ½P(tie)', () => {
  const rng = new ku.Rng(3);
  const pos = Array.from({ length: 60 }, () => Math.round(rng.normal() * 3 + 1));
  const neg = Array.from({ length: 45 }, () => Math.round(rng.normal() * 3));
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  close(ku.rocAuc(pos, neg), wins / (pos.length * neg.length), 1e-12);
  assert.equal(ku.rocAuc([3, 4], [1, 2]), 1);
  assert.equal(ku.rocAuc([1, 2], [3, 4]), 0);
  assert.equal(ku.rocAuc([1, 1], [1, 1]), 0.5);
  const curve = ku.rocCurve(pos, neg);
  assert.deepEqual([curve[0].falsePositiveRate, curve[0].truePositiveRate], [0, 0]);
  assert.deepEqual([curve.at(-1).falsePositiveRate, curve.at(-1).truePositiveRate], [1, 1]);
  let area = 0;
  for (let i = 1; i < curve.length; i++)
    area +=
      ((curve[i].falsePositiveRate - curve[i - 1].falsePositiveRate) *
        (curve[i].truePositiveRate + curve[i - 1].truePositiveRate)) /
      2;
  close(area, ku.rocAuc(pos, neg), 1e-12, 'trapezoid area of the curve');
  assert.throws(() => ku.rocAuc([], [1]), /no positive scores/);
});

test('Gaussian densities: Cholesky, full and diagonal log-densities agree with the formulas', async () => {
  await backend();
  const A = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
  const L = ku.cholesky(A, 3);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += L[i * 3 + k] * L[j * 3 + k];
      close(s, A[i * 3 + j], 1e-12, `LLᵀ[${i},${j}]`);
    }
  const Linv = ku.invertLowerTriangular(L, 3);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += L[i * 3 + k] * Linv[k * 3 + j];
      close(s, i === j ? 1 : 0, 1e-12, `L·L⁻¹[${i},${j}]`);
    }
  assert.throws(() => ku.cholesky([1, 2, 2, 1], 2), /not positive definite/);
  // 2-D: log N(x|μ,Σ) = −½(x−μ)ᵀΣ⁻¹(x−μ) − ½ log|Σ| − log 2π
  const mu = [0.5, -1],
    S = [2, 0.8, 0.8, 1],
    det = 2 - 0.64;
  const pts = [
    [0, 0],
    [1, -2],
    [3, 1],
  ];
  const got = tf.tidy(() =>
    Array.from(ku.gaussianLogDensityFull(tf.tensor2d(pts), mu, ku.cholesky(S, 2)).dataSync()),
  );
  pts.forEach(([a, b], i) => {
    const u = a - mu[0],
      v = b - mu[1];
    const q = (S[3] * u * u - 2 * S[1] * u * v + S[0] * v * v) / det;
    close(got[i], -0.5 * q - 0.5 * Math.log(det) - Math.log(2 * Math.PI), 1e-5, `point ${i}`);
  });
  // a diagonal covariance gives the same numbers both ways
  const diag = tf.tidy(() =>
    Array.from(
      ku
        .gaussianLogDensityDiag(tf.tensor2d(pts), tf.tensor2d([mu]), tf.tensor2d([[2, 1]]))
        .dataSync(),
    ),
  );
  const full = tf.tidy(() =>
    Array.from(
      ku.gaussianLogDensityFull(tf.tensor2d(pts), mu, ku.cholesky([2, 0, 0, 1], 2)).dataSync(),
    ),
  );
  diag.forEach((v, i) => close(v, full[i], 1e-5, `diag vs full ${i}`));
});

function blobs(seed) {
  const b = ku.makeBlobs(
    900,
    [
      [-3, 0],
      [3, 0],
      [0, 4],
    ],
    0.7,
    seed,
  );
  return tf.tensor2d(b.x, [b.n, 2]);
}

test('EM never lowers the log-likelihood (diag and full) and recovers three blobs', async () => {
  await backend();
  const x = blobs(4);
  for (const covariance of ['diag', 'full']) {
    const before = tf.memory().numTensors;
    const { model, logLikelihoods } = ku.fitGaussianMixture(x, {
      k: 3,
      covariance,
      iterations: 60,
      tolerance: -Infinity,
      seed: 5,
    });
    assert.equal(tf.memory().numTensors, before, `${covariance}: no leaked tensors`);
    assert.equal(logLikelihoods.length, 61);
    for (let t = 1; t < logLikelihoods.length; t++) {
      // float32 sums: allow rounding of 1e-5 nats per row
      assert.ok(
        logLikelihoods[t] >= logLikelihoods[t - 1] - 1e-5,
        `${covariance}: iteration ${t} lowered the log-likelihood ${logLikelihoods[t - 1]} → ${logLikelihoods[t]}`,
      );
    }
    assert.ok(
      logLikelihoods.at(-1) - logLikelihoods[0] > 0.5,
      `${covariance}: EM improved the fit`,
    );
    const centers = [
      [-3, 0],
      [3, 0],
      [0, 4],
    ];
    for (const c of centers) {
      const nearest = Math.min(
        ...[0, 1, 2].map((j) =>
          Math.hypot(model.means[2 * j] - c[0], model.means[2 * j + 1] - c[1]),
        ),
      );
      assert.ok(nearest < 0.2, `${covariance}: a mean near (${c}) — nearest ${nearest}`);
    }
    model.weights.forEach((w) => close(w, 1 / 3, 0.05, 'weights'));
    const { responsibilities } = ku.eStep(x, model);
    const rowSums = responsibilities.sum(1).dataSync();
    rowSums.forEach((s) => close(s, 1, 1e-5));
    responsibilities.dispose();
    const ld = tf.tidy(() => ku.mixtureLogDensity(x, model).mean().dataSync()[0]);
    close(ld, logLikelihoods.at(-1), 1e-4, 'mixtureLogDensity matches the E-step');
  }
  x.dispose();
});

test('GMM samples follow the weights; BIC and held-out likelihood pick k = 3 on three blobs', async () => {
  await backend();
  const train = blobs(6);
  const test_ = blobs(7);
  const scores = [1, 2, 3, 4, 5].map((k) => {
    const { model, logLikelihoods } = ku.fitGaussianMixture(train, {
      k,
      covariance: 'full',
      iterations: 100,
      seed: 1,
    });
    const heldOut = tf.tidy(() => ku.mixtureLogDensity(test_, model).mean().dataSync()[0]);
    return {
      k,
      bic: ku.bic(logLikelihoods.at(-1), 900, ku.mixtureParameterCount(model)),
      heldOut,
      model,
    };
  });
  const best = scores.reduce((a, b) => (b.bic < a.bic ? b : a));
  assert.equal(best.k, 3, JSON.stringify(scores.map((s) => [s.k, s.bic])));
  assert.ok(
    scores[2].heldOut > scores[1].heldOut + 0.3,
    'k = 3 fits held-out data much better than k = 2',
  );
  assert.equal(ku.mixtureParameterCount({ k: 3, d: 2, covariance: 'full' }), 2 + 6 + 9);
  assert.equal(ku.mixtureParameterCount({ k: 10, d: 784, covariance: 'diag' }), 9 + 2 * 7840);
  const { component } = ku.sampleGaussianMixture(best.model, 30000, new ku.Rng(8));
  const f = ku.frequencies(component, 3);
  f.forEach((v, j) => close(v, best.model.weights[j], 0.01, `component ${j}`));
  tf.dispose([train, test_]);
});

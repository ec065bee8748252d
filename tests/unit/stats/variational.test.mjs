import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

const close = (a, b, tol, msg) =>
  assert.ok(Math.abs(a - b) <= tol, `${msg ?? ''} ${a} vs ${b} (tol ${tol})`);

function randomModel(rng, d = 5, k = 2) {
  const W = Array.from({ length: d }, () => Array.from({ length: k }, () => rng.normal()));
  const b = Array.from({ length: d }, () => rng.normal());
  return new ku.LinearGaussianModel(W, b, 0.7);
}
function randomGaussian(rng, k) {
  const A = Array.from({ length: k }, () => Array.from({ length: k }, () => rng.normal()));
  const cov = A.map((r, i) =>
    A.map((s, j) => r.reduce((t, v, l) => t + v * s[l], 0) + (i === j ? 0.1 : 0)),
  ); // A·Aᵀ + 0.1 I
  return { mean: Array.from({ length: k }, () => rng.normal()), cov };
}

test('log p(x) = ELBO(q) + KL(q ‖ p(z|x)) for any Gaussian q, on a model with an exact posterior', () => {
  const rng = new ku.Rng(1);
  for (let trial = 0; trial < 10; trial++) {
    const model = randomModel(rng);
    const x = Array.from({ length: model.d }, () => 2 * rng.normal());
    const logPx = model.logMarginal(x);
    const post = model.posterior(x);
    for (let j = 0; j < 5; j++) {
      const q = randomGaussian(rng, model.k);
      const elbo = model.elbo(x, q),
        gap = ku.klFullGaussians(q, post);
      close(elbo + gap, logPx, 1e-9, 'identity');
      assert.ok(gap > 0 && elbo < logPx, 'the ELBO is a lower bound');
    }
    close(ku.klFullGaussians(post, post), 0, 1e-12, 'KL(p‖p)');
    close(model.elbo(x, post), logPx, 1e-9, 'q = posterior makes the bound tight');
  }
});

test('the closed-form ELBO matches a Monte Carlo estimate E_q[log p(x,z) − log q(z)]', () => {
  const rng = new ku.Rng(2);
  const model = randomModel(rng, 4, 3);
  const x = [0.5, -1, 2, 0.1];
  const q = randomGaussian(rng, 3);
  const L = ku.cholesky(q.cov.flat(), 3);
  const logDetQ = 2 * [0, 1, 2].reduce((s, i) => s + Math.log(L[i * 3 + i]), 0);
  const n = 100000;
  let sum = 0,
    sumSq = 0;
  for (let s = 0; s < n; s++) {
    const e = [rng.normal(), rng.normal(), rng.normal()];
    const z = [0, 1, 2].map(
      (i) => q.mean[i] + e.slice(0, i + 1).reduce((t, v, kk) => t + L[i * 3 + kk] * v, 0),
    );
    // log q(z) = −½‖L⁻¹(z − m)‖² − ½ log|S| − (k/2) log 2π, and L⁻¹(z − m) = e
    const logQ =
      -0.5 * e.reduce((t, v) => t + v * v, 0) - 0.5 * logDetQ - 1.5 * Math.log(2 * Math.PI);
    const w = model.logJoint(x, z) - logQ;
    sum += w;
    sumSq += w * w;
  }
  const mc = sum / n,
    se = Math.sqrt((sumSq / n - mc * mc) / n);
  close(mc, model.elbo(x, q), 4 * se, `Monte Carlo (±${se.toExponential(1)})`);
});

test('Gaussian KL in closed form matches Monte Carlo, and the diagonal, standard and full forms agree', async () => {
  await backend();
  const mu = tf.tensor2d([
      [0.5, -1, 0.2],
      [2, 0, -0.3],
    ]),
    logVar = tf.tensor2d([
      [0.1, -0.5, 0.8],
      [-1, 0.3, 0],
    ]);
  const closed = Array.from(ku.klStandardNormal(mu, logVar).dataSync());
  const n = 200000;
  const [mcMean, mcSe] = tf.tidy(() => {
    const muN = mu.expandDims(1).tile([1, n, 1]),
      lvN = logVar.expandDims(1).tile([1, n, 1]);
    const z = ku.reparameterize(muN, lvN, 7);
    const w = ku
      .logNormalDiag(z, muN, lvN)
      .sub(ku.logNormalDiag(z, tf.zerosLike(z), tf.zerosLike(z))); // log q(z) − log p(z)
    const m = w.mean(1);
    return [
      Array.from(m.dataSync()),
      Array.from(w.sub(m.expandDims(1)).square().mean(1).div(n).sqrt().dataSync()),
    ];
  });
  closed.forEach((c, i) => close(mcMean[i], c, 4 * mcSe[i], `row ${i}`));
  const viaDiag = Array.from(
    ku.klDiagGaussians(mu, logVar, tf.zerosLike(mu), tf.zerosLike(logVar)).dataSync(),
  );
  viaDiag.forEach((v, i) => close(v, closed[i], 1e-5, 'diag vs standard'));
  const lv = logVar.arraySync()[0],
    m0 = mu.arraySync()[0];
  const full = ku.klFullGaussians(
    { mean: m0, cov: lv.map((v, i) => lv.map((_, j) => (i === j ? Math.exp(v) : 0))) },
    {
      mean: [0, 0, 0],
      cov: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    },
  );
  close(full, closed[0], 1e-5, 'full vs standard');
  assert.equal(
    Array.from(ku.klDiagGaussians(mu, logVar, mu, logVar).dataSync()).every(
      (v) => Math.abs(v) < 1e-6,
    ),
    true,
  );
  tf.dispose([mu, logVar]);
});

test('Bernoulli log-likelihood from logits is exact and stays finite for extreme logits', async () => {
  await backend();
  const x = tf.tensor2d([[1, 0, 1, 0]]),
    logits = tf.tensor2d([[0.3, -1.2, 2, 0.5]]);
  const got = ku.bernoulliLogLikelihood(x, logits).dataSync()[0];
  const p = [0.3, -1.2, 2, 0.5].map((l) => 1 / (1 + Math.exp(-l)));
  close(got, Math.log(p[0]) + Math.log(1 - p[1]) + Math.log(p[2]) + Math.log(1 - p[3]), 1e-5);
  const extreme = ku
    .bernoulliLogLikelihood(tf.tensor2d([[1, 0]]), tf.tensor2d([[-100, 100]]))
    .dataSync()[0];
  close(extreme, -200, 1e-3, 'log σ(−100) + log(1 − σ(100)) ≈ −200');
  tf.dispose([x, logits]);
});

test('the IWAE bound tightens with k towards log p(x), never above it beyond Monte Carlo error', async () => {
  await backend();
  const rng = new ku.Rng(3);
  const model = randomModel(rng, 3, 2);
  const x = [0.3, -0.2, 0.8];
  const logPx = model.logMarginal(x);
  // proposal q = N(posterior mean, 2 × posterior covariance): a fair but imperfect q
  const post = model.posterior(x);
  const q = { mean: post.mean, cov: post.cov.map((r) => r.map((v) => 2 * v)) };
  const L = ku.cholesky(q.cov.flat(), 2);
  const logDetQ = 2 * (Math.log(L[0]) + Math.log(L[3]));
  const logWeight = () => {
    const e = [rng.normal(), rng.normal()];
    const z = [q.mean[0] + L[0] * e[0], q.mean[1] + L[2] * e[0] + L[3] * e[1]];
    return (
      model.logJoint(x, z) -
      (-0.5 * (e[0] ** 2 + e[1] ** 2) - 0.5 * logDetQ - Math.log(2 * Math.PI))
    );
  };
  // L_k for `reps` independent sets of k weights: mean and standard error
  const bound = (k, reps) => {
    const t = tf.tensor2d(Array.from({ length: reps }, () => Array.from({ length: k }, logWeight)));
    const v = Array.from(ku.iwaeBound(t).dataSync());
    t.dispose();
    const m = v.reduce((a, b) => a + b, 0) / reps;
    return { m, se: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (reps - 1) / reps) };
  };
  const b1 = bound(1, 20000),
    b10 = bound(10, 4000),
    b500 = bound(500, 200);
  const msg = `L1 ${b1.m}±${b1.se}, L10 ${b10.m}±${b10.se}, L500 ${b500.m}±${b500.se}, log p(x) ${logPx}`;
  assert.ok(
    b1.m + 3 * b1.se < b10.m && b10.m + 3 * b10.se < b500.m + 3 * b500.se,
    `increasing in k: ${msg}`,
  );
  for (const b of [b1, b10, b500])
    assert.ok(b.m <= logPx + 3 * b.se + 1e-6, `not above log p(x): ${msg}`);
  close(b500.m, logPx, 0.01, `L_500 ≈ log p(x): ${msg}`);
  close(b1.m, model.elbo(x, q), 4 * b1.se, `L_1 is the ELBO: ${msg}`);
  const single = tf.tensor2d([[-3.5]]);
  assert.equal(ku.iwaeBound(single).dataSync()[0], -3.5);
  single.dispose();
});

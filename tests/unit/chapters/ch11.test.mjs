// Chapter 11's pieces, on the chapter's own code (ku.ch11, exported from its // @save cells): the
// MMD² estimator and its permutation test, the priors and the mixture's density, and one AAE step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch11;

test('MMD²: the kernel-matrix form equals the formula written out, for unequal sample sizes', () => {
  const rng = new ku.Rng(3);
  const x = Array.from({ length: 7 }, () => [rng.normal(), rng.normal()]);
  const y = Array.from({ length: 5 }, () => [rng.normal() + 1, rng.normal()]);
  const h = 0.9;
  const k = (a, b) => Math.exp(-((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / (2 * h * h));
  const within = (s) => {
    let t = 0;
    s.forEach((a, i) => s.forEach((b, j) => (t += i === j ? 0 : k(a, b))));
    return t / (s.length * (s.length - 1));
  };
  let cross = 0;
  x.forEach((a) => y.forEach((b) => (cross += k(a, b))));
  const direct = within(x) + within(y) - (2 * cross) / (x.length * y.length);
  const pooled = [...x, ...y];
  const viaKernel = c.mmdSquaredFromKernel(
    c.gaussianKernelMatrix(pooled, h),
    pooled.map((_, i) => i < x.length),
  );
  assert.ok(Math.abs(direct - viaKernel) < 1e-12, `${direct} vs ${viaKernel}`);
});

test('the median heuristic is the median pairwise distance', () => {
  // distances 1, 3 and 2: the median is 2
  assert.equal(c.medianBandwidth([[0], [1], [3]]), 2);
});

test('the permutation test: no evidence for one distribution, strong evidence for a shift', () => {
  const rng = new ku.Rng(11);
  const draw = (n, shift) => Array.from({ length: n }, () => [rng.normal() + shift, rng.normal()]);
  const same = c.mmdTest(draw(300, 0), draw(300, 0), 100, rng);
  const shifted = c.mmdTest(draw(300, 0), draw(300, 0.5), 100, rng);
  assert.ok(same.pValue > 0.05, `same distribution: p = ${same.pValue}`);
  assert.ok(shifted.pValue <= 1 / 101 + 1e-12, `0.5σ shift: p = ${shifted.pValue}`);
  assert.ok(shifted.mmd2 > 10 * Math.abs(same.mmd2));
});

test("the mixture prior: draws sit on their component's ray; the log-density integrates to 1", () => {
  const rng = new ku.Rng(5);
  const { radius, components } = c.MIXTURE_PRIOR;
  const which = Array.from({ length: 2000 }, (_, i) => i % components);
  const z = c.sampleMixturePrior(2000, rng, which);
  const p = z.arraySync();
  z.dispose();
  for (let k = 0; k < components; k++) {
    const mine = p.filter((_, i) => which[i] === k);
    const [u0, u1] = c.mixtureDirection(k);
    const along = ku.mean(mine.map(([a, b]) => a * u0 + b * u1));
    assert.ok(Math.abs(along - radius) < 0.1, `component ${k}: mean radius ${along}`);
  }
  // ∫∫ p(z) dz on a grid of step 0.02 over [−6, 6]²
  const step = 0.02;
  let total = 0;
  for (let a = -6; a <= 6; a += step)
    for (let b = -6; b <= 6; b += step)
      total += Math.exp(c.mixtureLogDensity([a, b])) * step * step;
  assert.ok(Math.abs(total - 1) < 1e-3, `∫ p = ${total}`);
});

test('the swiss roll: radii between 1 and 3 (up to its noise)', () => {
  const z = c.sampleSwissRoll(1000, new ku.Rng(2));
  const r = z.arraySync().map(([a, b]) => Math.hypot(a, b));
  z.dispose();
  assert.ok(Math.min(...r) > 0.8 && Math.max(...r) < 3.2, `${Math.min(...r)}…${Math.max(...r)}`);
});

test('an AAE step returns five finite numbers, trains all three networks and leaks nothing', () => {
  for (const classes of [0, 10]) {
    const aae = c.buildAae(2, classes);
    const opt = c.aaeOptimizers();
    const x = tf.tidy(() => tf.randomUniform([8, ku.PIXELS]).greater(0.5).cast('float32'));
    const y = classes ? tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10) : null;
    const zPrior = tf.randomNormal([8, 2]);
    c.aaeStep(aae, x, y, zPrior, opt).dispose(); // Adam's slots are made on the first step
    const weights = [aae.vae.encoder, aae.vae.decoder, aae.discriminator].map((m) =>
      m.getWeights()[0].dataSync().slice(),
    );
    const before = tf.memory().numTensors;
    const row = c.aaeStep(aae, x, y, zPrior, opt);
    const v = Array.from(row.dataSync());
    row.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.equal(v.length, 5);
    assert.ok(v.every(Number.isFinite), String(v));
    [aae.vae.encoder, aae.vae.decoder, aae.discriminator].forEach((m, i) =>
      assert.ok(
        m
          .getWeights()[0]
          .dataSync()
          .some((w, j) => w !== weights[i][j]),
        `network ${i} was not updated`,
      ),
    );
    tf.dispose([x, zPrior, ...(y ? [y] : [])]);
    Object.values(opt).forEach((o) => o.dispose());
    [aae.vae.encoder, aae.vae.decoder, aae.discriminator].forEach((m) => m.dispose());
  }
});

test('bad input: clear errors naming the function and what is wrong', () => {
  const rng = new ku.Rng(1);
  assert.throws(() => c.mmdTest([[0]], [[1], [2]], 10, rng), /mmdTest: x and y need ≥ 2 rows/);
  assert.throws(
    () =>
      c.mmdTest(
        [
          [0, 1],
          [1, 2],
        ],
        [[1], [2]],
        10,
        rng,
      ),
    /every row of x and y needs 2 coordinates/,
  );
  assert.throws(() => c.sampleMixturePrior(3, rng, [0, 1]), /3 draws but only 2 components/);
  assert.throws(() => c.sampleMixturePrior(2, rng, [0, 10]), /component\[1\] = 10, not one of 0…9/);
});

// Chapter 09's pieces, on the chapter's own code (ku.ch09, exported from its // @save cells): the
// Gumbel-max trick's frequencies, the Gumbel-softmax relaxation (simplex, temperature limits, the
// bias and gradient spread its temperature trades), straight-through and stop-gradient, the
// nearest-code search, code-use statistics, dead-code restarts, and the code prior's causality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch09;
const PI = [0.1, 0.35, 0.05, 0.3, 0.2];
const logits = (n) => tf.tensor2d([PI.map(Math.log)]).tile([n, 1]);
// Pearson's χ² of frequencies against π: its 99.9% quantile on 4 degrees of freedom is 18.47
const chi2 = (freq, n) => n * PI.reduce((a, p, i) => a + (freq[i] - p) ** 2 / p, 0);

test('Gumbel-max draws are categorical(π): χ² below the 99.9% quantile', () => {
  const n = 50000;
  const draws = tf.tidy(() => c.gumbelMax(logits(n)).dataSync());
  assert.ok(draws.every((d) => d >= 0 && d < PI.length));
  const x2 = chi2(ku.frequencies(draws, PI.length), n);
  assert.ok(x2 < 18.47, `χ² = ${x2}`);
});

test('Gumbel-softmax lies on the simplex; τ → 0 gives one-hots of a categorical(π), τ → ∞ uniform', () => {
  const n = 20000;
  const [cold, hot] = tf.tidy(() => [
    c.gumbelSoftmax(logits(n), 0.001).arraySync(),
    c.gumbelSoftmax(logits(n), 1000).arraySync(),
  ]);
  for (const y of [...cold.slice(0, 500), ...hot.slice(0, 500)]) {
    assert.ok(y.every((v) => v >= 0));
    assert.ok(Math.abs(y.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  }
  // at τ = 0.001 nearly every sample is one-hot (not one-hot: the top two perturbed logits within
  // τ log 99 ≈ 0.005 of each other, a few in 1,000), and its argmax is a categorical(π) draw
  const nearlyOneHot = cold.filter((y) => Math.max(...y) > 0.99).length / n;
  assert.ok(nearlyOneHot > 0.98, `share of near one-hots ${nearlyOneHot}`);
  const argmax = cold.map((y) => y.indexOf(Math.max(...y)));
  assert.ok(chi2(ku.frequencies(argmax, PI.length), n) < 18.47);
  // at τ = 1000 every coordinate is within 0.01 of 1/K
  assert.ok(hot.every((y) => y.every((v) => Math.abs(v - 0.2) < 0.01)));
});

test("the relaxation's temperature trades bias for gradient spread", () => {
  const n = 20000;
  // E[y] → π as τ → 0; at τ = 2 the mean is pulled towards uniform (a bias of the relaxation)
  const meanAt = (tau) => tf.tidy(() => c.gumbelSoftmax(logits(n), tau).mean(0).arraySync());
  const l1 = (m) => m.reduce((a, v, i) => a + Math.abs(v - PI[i]), 0);
  const [near, far] = [l1(meanAt(0.05)), l1(meanAt(2))];
  assert.ok(near < 0.03, `L1(E[y], π) at τ = 0.05: ${near}`);
  assert.ok(far > 0.15, `L1(E[y], π) at τ = 2: ${far}`);
  // per-draw gradients of (v · y − t)² in the logits: their spread falls as τ rises
  const spread = (tau) =>
    tf.tidy(() => {
      const v = tf.tensor2d([0, 1, 2, 3, 4], [5, 1]);
      const f = (th) => c.gumbelSoftmax(th, tau).matMul(v).sub(2.2).square().sum();
      const g = tf.grad(f)(logits(n));
      return tf.moments(g, 0).variance.mean().sqrt().dataSync()[0];
    });
  const [s01, s1] = [spread(0.1), spread(1)];
  assert.ok(s01 > 2 * s1, `gradient spread at τ = 0.1: ${s01}, at τ = 1: ${s1}`);
});

test('straight-through and stop-gradient: values kept, gradients routed', () => {
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.tensor1d([-1, 0.5, 4]);
  const st = c.straightThrough(a, b);
  assert.deepEqual(Array.from(st.dataSync()), [1, 2, 3]);
  const [ga, gb] = tf.grads((x, y) =>
    c
      .straightThrough(x, y)
      .mul(tf.tensor1d([2, 3, 4]))
      .sum(),
  )([a, b]);
  assert.deepEqual(Array.from(ga.dataSync()), [0, 0, 0]);
  assert.deepEqual(Array.from(gb.dataSync()), [2, 3, 4]);
  const g = tf.grad((x) => c.stopGradient(x).square().sum().add(x.sum()))(a);
  assert.deepEqual(Array.from(g.dataSync()), [1, 1, 1]);
  // hard Gumbel-softmax: exactly one-hot forward
  const hard = tf.tidy(() => c.gumbelSoftmax(logits(200), 0.5, true).arraySync());
  assert.ok(
    hard.every((y) => y.filter((v) => v === 1).length === 1 && y.every((v) => v === 0 || v === 1)),
  );
  tf.dispose([a, b, st, ga, gb, g]);
});

test('nearestCode finds the closest codebook row (brute force); codeVectors looks rows up', () => {
  const m = c.buildGridCodec(12, 4, 8, 4, 1);
  const ze = tf.randomNormal([2, 7, 7, 4]);
  const k = c.nearestCode(m, ze).dataSync();
  const z = ze.reshape([-1, 4]).arraySync();
  const e = m.codebook.arraySync();
  const d2 = (u, w) => u.reduce((a, x, i) => a + (x - w[i]) ** 2, 0);
  z.forEach((row, i) => {
    const best = e.map((w) => d2(row, w)).reduce((bi, d, j, all) => (d < all[bi] ? j : bi), 0);
    assert.equal(k[i], best);
  });
  const q = c
    .codeVectors(m, tf.tensor1d(Array.from(k), 'int32'))
    .reshape([-1, 4])
    .arraySync();
  q.forEach((row, i) => assert.deepEqual(row, e[k[i]]));
  tf.dispose([ze, m.codebook, ...Object.values(m.params)]);
});

test('code use: perplexity is K for uniform use and 1 for a single code; dead codes restart', () => {
  const uniform = c.codeUsage([0, 1, 2, 3, 0, 1, 2, 3], 4);
  assert.ok(Math.abs(uniform.perplexity - 4) < 1e-9 && uniform.used === 1);
  const one = c.codeUsage([2, 2, 2], 8);
  assert.ok(Math.abs(one.perplexity - 1) < 1e-9 && one.used === 1 / 8);
  const m = c.buildGridCodec(6, 3, 8, 3, 0);
  const before = m.codebook.arraySync();
  const counts = new Float64Array([5, 0, 2, 0, 0, 1]);
  const x = tf.randomUniform([4, 28, 28, 1]);
  const restarted = c.restartDeadCodes(m, counts, x);
  assert.equal(restarted, 3);
  const after = m.codebook.arraySync();
  // live codes untouched; dead ones moved onto encoder outputs (which are cells of gridEncode(x))
  for (const k of [0, 2, 5]) assert.deepEqual(after[k], before[k]);
  const cells = c.gridEncode(m, x).reshape([-1, 3]).arraySync();
  for (const k of [1, 3, 4])
    assert.ok(
      cells.some((r) => r.every((v, i) => Math.abs(v - after[k][i]) < 1e-5)),
      `code ${k}`,
    );
  tf.dispose([x, m.codebook, ...Object.values(m.params)]);
});

test("the code prior is causal: a cell's logits ignore that cell and every later one", () => {
  const p = c.buildCodePrior(10);
  const grid = Array.from({ length: 49 }, (_, i) => (i * 7) % 10);
  const base = c.codePriorLogits(p, tf.tensor2d([grid], [1, 49], 'int32')).reshape([49, 10]);
  for (const i of [0, 13, 24, 48]) {
    const changed = grid.slice();
    for (let j = i; j < 49; j++) changed[j] = (changed[j] + 3) % 10;
    const out = c.codePriorLogits(p, tf.tensor2d([changed], [1, 49], 'int32')).reshape([49, 10]);
    const diff = tf.tidy(() => out.sub(base).abs().max(1).dataSync());
    // cells up to i see the same inputs: identical logits; the next cell of the same row sees
    // cell i (a conv's reach is local: the first cell of the next row need not)
    for (let j = 0; j <= i; j++)
      assert.ok(diff[j] < 1e-6, `cell ${j} moved when cells ≥ ${i} changed`);
    if (i % 7 !== 6) assert.ok(diff[i + 1] > 1e-4, `cell ${i + 1} ignores cell ${i}`);
    out.dispose();
  }
  base.dispose();
});

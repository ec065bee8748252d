// Chapter 13's pieces, on the chapter's own code (ku.ch13, exported from its // @save cells): the
// schedules and q(x_t | x₀) in closed form against the step-by-step chain, the DDIM and ancestral
// steps against the exact posterior, the time embedding, the ε-models' shapes and starting
// point, classifier-free guidance's mix, the EMA's warm-up, and the moons' distance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch13;

test('schedules: ᾱ_t is the running product of 1 − β_t; the cosine one is f(t)/f(0)', () => {
  const betas = c.linearBetas(1000);
  assert.equal(betas.length, 1000);
  assert.ok(Math.abs(betas[0] - 1e-4) < 1e-15 && Math.abs(betas[999] - 0.02) < 1e-15);
  const ab = c.alphaBars(betas);
  let product = 1;
  for (let t = 0; t < 1000; t++) {
    product *= 1 - betas[t];
    assert.ok(Math.abs(ab[t] - product) < 1e-15);
  }
  const f = (t) => Math.cos((((t / 1000 + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const cosine = c.alphaBars(c.cosineBetas(1000));
  // away from the clipped last steps, ᾱ_t = f(t)/f(0) to rounding
  for (const t of [1, 10, 250, 500, 900]) assert.ok(Math.abs(cosine[t - 1] - f(t) / f(0)) < 1e-12);
  assert.ok(c.cosineBetas(1000).every((b) => b > 0 && b <= 0.999));
});

test('q(x_t | x₀) in closed form matches the chain run step by step (moments)', () => {
  const s = c.makeSchedule(c.linearBetas(1000));
  const rng = new ku.Rng(5);
  const n = 20000;
  const x0 = 0.7;
  const x = new Float64Array(n).fill(x0);
  for (let t = 1; t <= 400; t++) {
    const b = s.betas[t - 1];
    for (let i = 0; i < n; i++) x[i] = Math.sqrt(1 - b) * x[i] + Math.sqrt(b) * rng.normal();
    if (t !== 50 && t !== 400) continue;
    const ab = s.alphaBar[t - 1];
    const m = ku.mean(x);
    const v = ku.mean(x.map((xi) => (xi - m) ** 2));
    // 5 standard errors: the mean's √((1 − ᾱ)/n), the variance's √(2/n) relative
    assert.ok(Math.abs(m - Math.sqrt(ab) * x0) < 5 * Math.sqrt((1 - ab) / n), `mean at t = ${t}`);
    assert.ok(Math.abs(v / (1 - ab) - 1) < 5 * Math.sqrt(2 / n), `variance at t = ${t}: ${v}`);
  }
  // and a wrong closed form (ᾱ_t replaced by α_t^t with α_t at the step) is caught by the same test
  const wrong = (1 - s.betas[399]) ** 400;
  assert.ok(Math.abs(wrong - s.alphaBar[399]) > 0.05);
});

test('DDIM with the true noise lands exactly on x₀ and on q(x_s | x₀)', () => {
  const s = c.makeSchedule(c.linearBetas(1000));
  const x0 = tf.tensor2d([[0.3, -0.8, 1]]);
  const eps = tf.tensor2d([[1.2, -0.4, 0.1]]);
  const t = 700;
  const ab = s.alphaBar[t - 1];
  const xt = x0.mul(Math.sqrt(ab)).add(eps.mul(Math.sqrt(1 - ab)));
  const toData = c.ddimStep(s, xt, eps, t, 0);
  const toS = c.ddimStep(s, xt, eps, t, 200);
  const expected = x0.mul(Math.sqrt(s.alphaBar[199])).add(eps.mul(Math.sqrt(1 - s.alphaBar[199])));
  const gap = (a, b) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
  assert.ok(gap(toData, x0) < 1e-5, `to x₀: ${gap(toData, x0)}`);
  assert.ok(gap(toS, expected) < 1e-5);
  tf.dispose([x0, eps, xt, toData, toS, expected]);
});

test('an ancestral step with the true noise draws from q(x_{t−1} | x_t, x₀)', () => {
  const s = c.makeSchedule(c.linearBetas(1000));
  const t = 300;
  const [ab, abPrev, beta] = [s.alphaBar[t - 1], s.alphaBar[t - 2], s.betas[t - 1]];
  const n = 20000;
  const x0 = 0.4;
  const eps = 0.9;
  const xtValue = Math.sqrt(ab) * x0 + Math.sqrt(1 - ab) * eps;
  const xt = tf.fill([n, 1], xtValue);
  const e = tf.fill([n, 1], eps);
  const out = c.ancestralStep(s, xt, e, t);
  const values = out.dataSync();
  const m = ku.mean(values);
  const v = ku.mean(Array.from(values, (x) => (x - m) ** 2));
  const muTilde =
    ((Math.sqrt(abPrev) * beta) / (1 - ab)) * x0 +
    ((Math.sqrt(1 - beta) * (1 - abPrev)) / (1 - ab)) * xtValue;
  const betaTilde = ((1 - abPrev) / (1 - ab)) * beta;
  assert.ok(Math.abs(m - muTilde) < 5 * Math.sqrt(betaTilde / n), `mean ${m} vs ${muTilde}`);
  assert.ok(Math.abs(v / betaTilde - 1) < 5 * Math.sqrt(2 / n), `variance ${v} vs ${betaTilde}`);
  // at t = 1 the step adds no noise and returns μ̃ = x₀
  const x1 = tf.fill([2, 1], Math.sqrt(s.alphaBar[0]) * x0 + Math.sqrt(1 - s.alphaBar[0]) * eps);
  const e1 = tf.fill([2, 1], eps);
  const last = c.ancestralStep(s, x1, e1, 1);
  assert.ok(Math.abs(last.dataSync()[0] - x0) < 1e-5 && last.dataSync()[1] === last.dataSync()[0]);
  tf.dispose([xt, e, out, x1, e1, last]);
});

test('the time embedding is sin/cos of t at geometric frequencies', () => {
  const t = tf.tensor1d([1, 37], 'int32');
  const emb = c.timeEmbedding(t, 8);
  assert.deepEqual(emb.shape, [2, 8]);
  const row = Array.from(emb.dataSync().slice(8, 16));
  for (let i = 0; i < 4; i++) {
    const omega = Math.exp((-Math.log(10000) * i) / 4);
    assert.ok(Math.abs(row[i] - Math.sin(37 * omega)) < 1e-5);
    assert.ok(Math.abs(row[4 + i] - Math.cos(37 * omega)) < 1e-5);
  }
  tf.dispose([t, emb]);
});

test('ε-models start at ε̂ = 0 with the right shapes; guidance mixes (1 + w)·cond − w·uncond', () => {
  const before = tf.memory().numTensors;
  const m = c.buildEpsMlp(3, 16, 2, 10);
  const z = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
  const steps = tf.fill([5], 10, 'int32');
  const labels = tf.tensor1d([0, 1, 2, 3, 10], 'int32');
  const e0 = c.epsMlp(m, z, steps, labels);
  assert.deepEqual(e0.shape, [5, 3]);
  assert.equal(
    tf.tidy(() => e0.abs().max().dataSync()[0]),
    0,
  );
  assert.throws(() => c.epsMlp(m, z, steps), /needs labels/);
  // give the output layer weights, then check the guidance identity
  tf.tidy(() => m.params.outW.assign(tf.randomNormal(m.params.outW.shape, 0, 1, 'float32', 2)));
  const none = tf.fill([5], 10, 'int32');
  const cond = c.epsMlp(m, z, steps, labels);
  const uncond = c.epsMlp(m, z, steps, none);
  const guided = c.guidedEps(m, labels, 2)(z, 10);
  const expected = tf.tidy(() => cond.mul(3).sub(uncond.mul(2)));
  assert.ok(tf.tidy(() => guided.sub(expected).abs().max().dataSync()[0]) < 1e-5);
  const plain = c.guidedEps(m, labels, 0)(z, 10);
  assert.ok(tf.tidy(() => plain.sub(cond).abs().max().dataSync()[0]) === 0);
  const u = c.guidedEps(m, null, 2)(z, 10);
  assert.ok(tf.tidy(() => u.sub(uncond).abs().max().dataSync()[0]) === 0);
  tf.dispose([z, steps, labels, none, e0, cond, uncond, guided, expected, plain, u]);
  tf.dispose(Object.values(m.params));
  assert.equal(tf.memory().numTensors, before);
});

test('the U-Net maps n×28×28×1 to n×28×28×1 and starts at ε̂ = 0', () => {
  const m = c.buildPixelUnet(4);
  const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 3);
  const t = tf.tensor1d([5, 900], 'int32');
  const out = c.pixelUnet(m, x, t);
  assert.deepEqual(out.shape, [2, 28, 28, 1]);
  assert.equal(
    tf.tidy(() => out.abs().max().dataSync()[0]),
    0,
  );
  tf.dispose([x, t, out, ...Object.values(m.params)]);
});

test('simpleLoss of the zero model is the mean of ε², about 1, and its gradient flows', () => {
  const s = c.makeSchedule(c.linearBetas(1000));
  const m = c.buildEpsMlp(4, 8, 1);
  const x0 = tf.randomNormal([4000, 4], 0, 1, 'float32', 4);
  const loss = c.simpleLoss((xt, t) => c.epsMlp(m, xt, t), x0, s);
  // 16,000 squared normals: mean 1, standard error √(2/16000) ≈ 0.011
  assert.ok(Math.abs(loss.dataSync()[0] - 1) < 0.06, `loss ${loss.dataSync()[0]}`);
  const { grads } = tf.variableGrads(() => c.simpleLoss((xt, t) => c.epsMlp(m, xt, t), x0, s));
  assert.ok(tf.tidy(() => grads[m.params.outW.name].abs().sum().dataSync()[0]) > 0);
  tf.dispose([x0, loss, ...Object.values(grads), ...Object.values(m.params)]);
});

test('the EMA forgets its start: δ = min(decay, (1 + s)/(10 + s))', () => {
  const w = { a: tf.variable(tf.scalar(10)) };
  const e = { a: tf.variable(tf.scalar(0)) };
  c.emaUpdate(e, w, 0, 0.999);
  // step 0: δ = 0.1, so e = 0.1·0 + 0.9·10
  assert.ok(Math.abs(e.a.dataSync()[0] - 9) < 1e-5);
  c.emaUpdate(e, w, 10000, 0.999);
  assert.ok(Math.abs(e.a.dataSync()[0] - (0.999 * 9 + 0.001 * 10)) < 1e-4);
  tf.dispose([w.a, e.a]);
});

test('nearestMoon: points on the arcs are at distance 0 on their own arc', () => {
  const on = ku.makeMoons(20, 0, 1);
  const near = c.nearestMoon(on.x, 2000);
  assert.ok(Math.max(...near.distance) < 2e-3);
  assert.deepEqual(Array.from(near.arc), Array.from(on.y));
  // (0.5, 2) lies above the upper arc (the unit circle's top half): nearest it, at 2.06 − 1
  const off = c.nearestMoon([0.5, 2.0]);
  assert.ok(Math.abs(off.distance[0] - (Math.hypot(0.5, 2) - 1)) < 1e-3 && off.arc[0] === 0);
});

test('sampleReverse frees what epsFn makes on the way (a column of steps per call)', async () => {
  const s = c.makeSchedule(c.linearBetas(100));
  const m = c.buildEpsMlp(2, 8, 1);
  const before = tf.memory().numTensors;
  for (const ddimSteps of [undefined, 10]) {
    const out = await c.sampleReverse(
      (x, t) => c.epsMlp(m, x, tf.fill([x.shape[0]], t, 'int32')),
      [4, 2],
      s,
      { ddimSteps },
    );
    assert.deepEqual(out.shape, [4, 2]);
    out.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(Object.values(m.params));
});

// Chapter 04's pieces, on the chapter's own code (ku.ch04, exported from its // @save cells): the
// autoregressive masks (MADE's Jacobian, PixelCNN's causality), exact normalization of every
// model by enumerating all images of a few pixels, the ensemble over orderings, and the sampler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const c = ku.ch04;

/** Every binary image of d pixels, [2^d, d]. */
const allImages = (d) =>
  tf.tensor2d(
    Array.from({ length: 2 ** d }, (_, s) => Array.from({ length: d }, (_, i) => (s >> i) & 1)),
  );
/** Σ_x p(x) over all 2^d images for a logits function. */
const totalMass = (logits, d) =>
  tf.tidy(() => {
    const x = allImages(d);
    return c.bernoulliNll(logits(x), x).neg().exp().sum().dataSync()[0];
  });
const marginalsOf = (d) => tf.fill([d], 0.3);

test('the autoregressive mask: input j feeds output i iff 0 < pos(i) − pos(j) ≤ window', () => {
  const order = Int32Array.from([2, 0, 3, 1]);
  const pos = [1, 3, 0, 2];
  for (const window of [Infinity, 1, 2]) {
    const m = c.autoregressiveMask(order, window);
    const v = m.arraySync();
    m.dispose();
    for (let j = 0; j < 4; j++)
      for (let i = 0; i < 4; i++) {
        const gap = pos[i] - pos[j];
        assert.equal(v[j][i], gap > 0 && gap <= window ? 1 : 0, `j ${j} i ${i} window ${window}`);
      }
  }
});

test('bernoulliNll is −Σ_i log Bern(x_i; σ(ℓ_i))', () => {
  const l = [
    [0.3, -2, 5],
    [-0.7, 1.2, 0],
  ];
  const x = [
    [1, 0, 1],
    [0, 1, 1],
  ];
  const got = tf.tidy(() => c.bernoulliNll(tf.tensor2d(l), tf.tensor2d(x)).arraySync());
  const sig = (v) => 1 / (1 + Math.exp(-v));
  l.forEach((row, s) => {
    const want = -row.reduce((t, v, i) => t + Math.log(x[s][i] ? sig(v) : 1 - sig(v)), 0);
    assert.ok(Math.abs(got[s] - want) < 1e-5, `${got[s]} vs ${want}`);
  });
});

test("MADE's masks: ∂ℓ_i/∂x_j = 0 whenever pos(j) ≥ pos(i), and the allowed entries are live", () => {
  const d = 7,
    h = 16;
  const rng = new ku.Rng(4);
  const order = Int32Array.from(rng.permutation(d));
  const masks = c.madeMasks(order, c.madeDegrees(d, h, rng));
  const half = marginalsOf(d);
  const made = c.buildMade(half, h, 9);
  made.A.assign(tf.tidy(() => tf.randomNormal([d, d], 0, 1, 'float32', 10)));
  const x = tf.randomUniform([1, d], 0, 1, 'float32', 11);
  const pos = new Map(Array.from(order, (p, t) => [p, t]));
  for (let i = 0; i < d; i++) {
    const g = tf.tidy(() =>
      tf
        .grad((v) => c.madeLogits(made, masks, v).slice([0, i], [1, 1]).sum())(x)
        .dataSync(),
    );
    for (let j = 0; j < d; j++) {
      if (pos.get(j) >= pos.get(i)) assert.equal(g[j], 0, `∂ℓ_${i}/∂x_${j} = ${g[j]}`);
      else assert.notEqual(g[j], 0, `∂ℓ_${i}/∂x_${j} is zero though allowed`);
    }
  }
  tf.dispose([half, x, ...Object.values(made), ...Object.values(masks)]);
});

test('FVSBN, NADE and MADE are normalized: Σ over all 2^8 images of p(x) is 1', () => {
  const d = 8;
  const m0 = marginalsOf(d);
  const order = Int32Array.from([3, 1, 7, 0, 5, 2, 6, 4]);
  const mask = c.autoregressiveMask(order);
  const fvsbn = c.buildFvsbn(m0);
  fvsbn.W.assign(tf.tidy(() => tf.randomNormal([d, d], 0, 2, 'float32', 1)));
  const nade = c.buildNade(m0, 5, 0.1, 2);
  nade.W.assign(tf.tidy(() => tf.randomNormal([5, d], 0, 2, 'float32', 3)));
  nade.V.assign(tf.tidy(() => tf.randomNormal([5, d], 0, 2, 'float32', 4)));
  const rng = new ku.Rng(5);
  const masks = c.madeMasks(order, c.madeDegrees(d, 12, rng));
  const made = c.buildMade(m0, 12, 6);
  made.A.assign(tf.tidy(() => tf.randomNormal([d, d], 0, 1, 'float32', 7)));
  const totals = {
    fvsbn: totalMass((x) => c.fvsbnLogits(fvsbn, mask, x), d),
    nade: totalMass((x) => c.nadeLogits(nade, x), d),
    made: totalMass((x) => c.madeLogits(made, masks, x), d),
  };
  for (const [name, t] of Object.entries(totals))
    assert.ok(Math.abs(t - 1) < 1e-4, `${name}: ${t}`);
  tf.dispose([m0, mask, ...Object.values(fvsbn), ...Object.values(nade), ...Object.values(made)]);
  tf.dispose(Object.values(masks));
});

test('an ensemble over orderings is normalized in probability (logsumexp), not in logits', () => {
  const d = 6;
  const m0 = marginalsOf(d);
  const rng = new ku.Rng(8);
  const made = c.buildMade(m0, 10, 12);
  made.A.assign(tf.tidy(() => tf.randomNormal([d, d], 0, 2, 'float32', 13)));
  const members = [0, 1].map(() =>
    c.madeMasks(Int32Array.from(rng.permutation(d)), c.madeDegrees(d, 10, rng)),
  );
  const mixture = tf.tidy(() => {
    const x = allImages(d);
    const logp = tf.stack(members.map((m) => c.bernoulliNll(c.madeLogits(made, m, x), x).neg()));
    // log p(x) = logsumexp_k log p_k(x) − log K
    return logp.logSumExp(0).sub(Math.log(2)).exp().sum().dataSync()[0];
  });
  const logitMean = totalMass(
    (x) =>
      c
        .madeLogits(made, members[0], x)
        .add(c.madeLogits(made, members[1], x))
        .div(2),
    d,
  );
  assert.ok(Math.abs(mixture - 1) < 1e-4, `mixture mass ${mixture}`);
  assert.ok(Math.abs(logitMean - 1) > 1e-3, `averaged logits happened to sum to ${logitMean}`);
  tf.dispose([m0, ...Object.values(made), ...members.flatMap((m) => Object.values(m))]);
});

test('PixelCNN: the logit at a pixel has zero gradient from that pixel and every later one', () => {
  const p = c.buildPixelCnn(8, 2, 20);
  const x = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 21);
  for (const [r, col] of [
    [0, 0],
    [3, 4],
    [7, 7],
  ]) {
    const g = tf.tidy(() =>
      tf
        .grad((v) => c.pixelCnnLogits(p, v).slice([0, r, col, 0], [1, 1, 1, 1]).sum())(x)
        .dataSync(),
    );
    const target = r * 8 + col;
    g.forEach((v, i) => {
      if (i >= target) assert.equal(v, 0, `pixel ${i} reaches the logit of pixel ${target}`);
    });
    if (target > 0)
      assert.ok(
        g.some((v) => v !== 0),
        `nothing reaches pixel ${target}`,
      );
  }
  tf.dispose([x, ...Object.values(p.weights), p.masks.A, p.masks.B]);
});

test('PixelCNN on a 2×2 image is normalized and has the reference parameter count at 28×28', () => {
  const p = c.buildPixelCnn(8, 2, 30);
  const mass = totalMass((x) => c.pixelCnnLogits(p, x.reshape([-1, 2, 2, 1])).reshape([-1, 4]), 4);
  assert.ok(Math.abs(mass - 1) < 1e-4, `mass ${mass}`);
  tf.dispose([...Object.values(p.weights), p.masks.A, p.masks.B]);
  const ref = c.buildPixelCnn(c.PIXELCNN.channels, c.PIXELCNN.blocks, 31);
  const count = Object.values(ref.weights).reduce((s, w) => s + w.size, 0);
  assert.equal(count, 48929);
  tf.dispose([...Object.values(ref.weights), ref.masks.A, ref.masks.B]);
});

test('sampleAutoregressive keeps the given prefix and draws each pixel from its conditional', async () => {
  const d = 10,
    n = 4000;
  const order = Int32Array.from([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  const start = new Float32Array(n * d);
  for (let s = 0; s < n; s++) start[s * d + 9] = 1;
  // pixel i is on with probability 0.8 if the pixel before it in the order is on, else 0.1
  const logitOf = (x, pixel) =>
    tf.tidy(() => {
      const prev = x.slice([0, pixel + 1], [-1, 1]);
      return prev.mul(Math.log(4) - Math.log(1 / 9)).add(Math.log(1 / 9));
    });
  const before = tf.memory().numTensors;
  const x = await c.sampleAutoregressive(logitOf, start, order, 1, new ku.Rng(2), 'test');
  assert.equal(tf.memory().numTensors, before);
  let on8 = 0;
  for (let s = 0; s < n; s++) {
    assert.equal(x[s * d + 9], 1);
    on8 += x[s * d + 8];
  }
  // P(x_8 = 1 | x_9 = 1) = 0.8: within 4 standard errors
  assert.ok(Math.abs(on8 / n - 0.8) < 4 * Math.sqrt(0.16 / n), `frequency ${on8 / n}`);
});

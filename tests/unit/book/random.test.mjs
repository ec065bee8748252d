import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

test('the same seed gives the same unseeded tf ops and weight initializers', async () => {
  await backend();
  const draw = () => {
    ku.seedEverything(42);
    const layer = tf.layers.dense({ units: 3, inputShape: [4] });
    const m = tf.sequential({ layers: [layer] });
    const w = Array.from(m.getWeights()[0].dataSync());
    const r = tf.randomNormal([5]);
    const out = [w, Array.from(r.dataSync()), Math.random()];
    r.dispose();
    m.dispose();
    return out;
  };
  const a = draw();
  const b = draw();
  assert.deepEqual(a, b);
  ku.seedEverything(43);
  const c = tf.randomNormal([5]);
  assert.notDeepEqual(Array.from(c.dataSync()), a[1]);
  c.dispose();
  ku.unseed();
});

test('Rng: reproducible streams, permutations, normals; opSeed is never 0', () => {
  const a = new ku.Rng(7);
  const b = new ku.Rng(7);
  assert.deepEqual(Array.from(a.permutation(50)), Array.from(b.permutation(50)));
  const p = new ku.Rng(1).permutation(1000);
  assert.deepEqual(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const r = new ku.Rng(3);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.03, `${mean} ${variance}`);
  ku.seedEverything(5);
  for (let i = 0; i < 1000; i++) assert.ok(ku.opSeed() >= 1);
  ku.unseed();
  assert.throws(() => ku.seedEverything(1.5), /seed must be an integer/);
});

test('toy sets are seeded and shaped as documented', () => {
  const m1 = ku.makeMoons(101, 0.1, 9);
  assert.deepEqual(m1, ku.makeMoons(101, 0.1, 9));
  assert.equal(m1.x.length, 202);
  assert.equal(m1.y.filter((v) => v === 0).length, 50);
  const ring = ku.makeRing(4000, 8, 2, 0.05, 1);
  for (let i = 0; i < 100; i++) {
    const rad = Math.hypot(ring.x[2 * i], ring.x[2 * i + 1]);
    assert.ok(Math.abs(rad - 2) < 0.3, `radius ${rad}`);
  }
  assert.equal(new Set(ring.y).size, 8);
  const blobs = ku.makeBlobs(
    3000,
    [
      [0, 0],
      [10, 10],
    ],
    0.5,
    2,
  );
  const mx = Array.from({ length: 3000 }, (_, i) => blobs.x[2 * i]).filter(
    (_, i) => blobs.y[i] === 1,
  );
  assert.ok(Math.abs(mx.reduce((s, v) => s + v, 0) / mx.length - 10) < 0.1);
  assert.throws(() => ku.makeBlobs(10, []), /centers must not be empty/);
});

test('BOOK_MODE chooses the mode; an unknown mode is an error', () => {
  const saved = process.env.BOOK_MODE;
  try {
    delete process.env.BOOK_MODE;
    assert.equal(ku.mode(), 'standard');
    process.env.BOOK_MODE = 'quick';
    assert.equal(ku.byMode({ quick: 1, standard: 2 }), 1);
    process.env.BOOK_MODE = 'full';
    assert.equal(ku.byMode({ quick: 1, standard: 2 }), 2);
    assert.equal(ku.byMode({ quick: 1, standard: 2, full: 3 }), 3);
    process.env.BOOK_MODE = 'fast';
    assert.throws(
      () => ku.mode(),
      /BOOK_MODE="fast" is not a mode: use one of quick, standard, full/,
    );
  } finally {
    if (saved === undefined) delete process.env.BOOK_MODE;
    else process.env.BOOK_MODE = saved;
  }
});

// Chapter 12's pieces, on the chapter's own code (ku.ch12, exported from its // @save cells): the
// exact-Z identities of tiny Boltzmann machines by enumeration (the joint sums to 1, the free
// energy is −log Σ_h e^{−E}, p(h|v) factorizes for an RBM and not with hidden–hidden couplings),
// exactLogZ against full enumeration, AIS against the exact log Z of a small random RBM, a short
// CD training run, and the HMM's forward algorithm against brute force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

const c = ku.ch12;

const sigmoid = (x) => 1 / (1 + Math.exp(-x));
const sum = (a) => a.reduce((s, x) => s + x, 0);

test('the enumerated joint of a Boltzmann machine sums to 1 and is e^{−E}/Z', () => {
  const rng = new ku.Rng(1);
  for (const [nv, nh, couplings] of [
    [3, 2, false],
    [4, 3, true],
    [5, 4, true],
  ]) {
    const m = c.randomTinyMachine(nv, nh, rng, 1, couplings, couplings);
    const joint = c.enumerateBoltzmann(m);
    assert.equal(joint.p.length, 2 ** (nv + nh));
    assert.ok(Math.abs(sum(joint.p) - 1) < 1e-12, `Σ p = ${sum(joint.p)}`);
    // Z by a plain sum of e^{−E}, state by state (v in the high bits, h in the low bits)
    let z = 0;
    for (let v = 0; v < 2 ** nv; v++)
      for (let h = 0; h < 2 ** nh; h++)
        z += Math.exp(-c.boltzmannEnergy(m, c.bitsOf(v, nv), c.bitsOf(h, nh)));
    assert.ok(Math.abs(Math.log(z) - joint.logZ) < 1e-12, `log Z ${Math.log(z)} vs ${joint.logZ}`);
    const e = c.boltzmannEnergy(m, c.bitsOf(1, nv), c.bitsOf(2, nh));
    assert.ok(Math.abs(joint.p[1 * 2 ** nh + 2] - Math.exp(-e - joint.logZ)) < 1e-15);
  }
});

test('the energy has every term: a hand-computed state', () => {
  const m = {
    b: [0.5, -1],
    c: [2],
    W: [[1.5], [-0.25]],
    L: [
      [0, 3],
      [3, 0],
    ],
    J: [[0]],
  };
  // v = (1, 1), h = (1): −(0.5 − 1) − 2 − (1.5 − 0.25) − ½·(3 + 3) = 0.5 − 2 − 1.25 − 3
  assert.ok(Math.abs(c.boltzmannEnergy(m, [1, 1], [1]) - (0.5 - 2 - 1.25 - 3)) < 1e-12);
  assert.equal(c.boltzmannEnergy(m, [0, 0], [0]), 0);
});

test('free energy F(v) = −log Σ_h e^{−E(v,h)} on every v of a random RBM', () => {
  const rng = new ku.Rng(2);
  const m = c.randomTinyMachine(5, 4, rng, 1.5);
  for (let v = 0; v < 2 ** 5; v++) {
    const vb = c.bitsOf(v, 5);
    const terms = Array.from({ length: 16 }, (_, h) => -c.boltzmannEnergy(m, vb, c.bitsOf(h, 4)));
    const f = -ku.logSumExp(terms);
    assert.ok(
      Math.abs(f - c.tinyFreeEnergy(m, vb)) < 1e-12,
      `v ${v}: ${f} vs ${c.tinyFreeEnergy(m, vb)}`,
    );
  }
});

test('p(h|v) factorizes into σ(c_j + W_j·v) for an RBM, not with hidden–hidden couplings', () => {
  const rng = new ku.Rng(3);
  const rbm = c.randomTinyMachine(4, 3, rng, 1);
  const joint = c.enumerateBoltzmann(rbm);
  assert.ok(c.factorizationGap(joint) < 1e-12, `RBM gap ${c.factorizationGap(joint)}`);
  for (let v = 0; v < 16; v++) {
    const row = joint.p.subarray(v * 8, (v + 1) * 8);
    const vb = c.bitsOf(v, 4);
    for (let j = 0; j < 3; j++) {
      const p1 = sum(Array.from(row).filter((_, h) => (h >> j) & 1)) / sum(row);
      const formula = sigmoid(rbm.c[j] + sum(vb.map((vi, i) => vi * rbm.W[i][j])));
      assert.ok(Math.abs(p1 - formula) < 1e-12, `v ${v} j ${j}`);
    }
  }
  // visible–visible couplings alone leave p(h|v) a product; hidden–hidden couplings do not
  const visibleOnly = c.randomTinyMachine(4, 3, rng, 1, true, false);
  assert.ok(c.factorizationGap(c.enumerateBoltzmann(visibleOnly)) < 1e-12);
  const coupled = c.randomTinyMachine(4, 3, rng, 1, false, true);
  assert.ok(c.factorizationGap(c.enumerateBoltzmann(coupled)) > 1e-3);
});

/** A random RBM (tfjs variables) and the same machine as plain numbers. */
function randomRbm(nv, nh, sd, seed) {
  const tiny = c.randomTinyMachine(nv, nh, new ku.Rng(seed), sd);
  return { tiny, rbm: c.rbmFromTiny(tiny) };
}
const disposeRbm = (rbm) => tf.dispose(Object.values(rbm));

test('freeEnergy (tfjs) and exactLogZ agree with enumeration', async () => {
  await backend();
  const { tiny, rbm } = randomRbm(6, 5, 1, 4);
  const allV = Array.from({ length: 64 }, (_, v) => c.bitsOf(v, 6));
  const f = tf.tidy(() => c.freeEnergy(rbm, tf.tensor2d(allV)).arraySync());
  allV.forEach((v, i) => assert.ok(Math.abs(f[i] - c.tinyFreeEnergy(tiny, v)) < 1e-4));
  const exact = c.enumerateBoltzmann(tiny).logZ;
  // blocks smaller than 2^nh, so that several are combined
  for (const block of [4096, 7]) {
    const z = c.exactLogZ(rbm, block);
    assert.ok(Math.abs(z - exact) < 1e-4, `block ${block}: ${z} vs ${exact}`);
  }
  disposeRbm(rbm);
});

test('the AIS schedule: β from 0 to 1, increasing, the reference proportions', () => {
  const b = c.aisSchedule(14500);
  assert.equal(b.length, 14501);
  assert.equal(b[0], 0);
  assert.ok(Math.abs(b[b.length - 1] - 1) < 1e-12);
  for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1]);
  assert.ok(Math.abs(b[500] - 0.5) < 1e-12 && Math.abs(b[4500] - 0.9) < 1e-12);
});

test('AIS estimates the exact log Z of a small random RBM within 0.3 nats', async () => {
  await backend();
  const before = tf.memory().numTensors;
  // 40 visible, 12 hidden: exact log Z by listing 2^12 hidden states
  const { rbm } = randomRbm(40, 12, 0.5, 5);
  const exact = c.exactLogZ(rbm);
  const base = tf.tidy(() => tf.fill([40], -0.5));
  const runs = c.aisLogZ(rbm, base, c.aisSchedule(1000), 100, 3, 77);
  const mean = ku.mean(runs);
  assert.ok(Math.abs(mean - exact) < 0.3, `AIS ${runs.map((z) => z.toFixed(3))} vs exact ${exact}`);
  // with a single temperature step AIS is plain importance sampling from the base: far off
  const crude = ku.mean(c.aisLogZ(rbm, base, Float64Array.from([0, 1]), 100, 3, 78));
  assert.ok(Math.abs(crude - exact) > Math.abs(mean - exact), `crude ${crude}`);
  tf.dispose([base]);
  disposeRbm(rbm);
  assert.equal(tf.memory().numTensors, before, 'AIS leaked tensors');
});

test('CD-1 training lowers the free energy of the training patterns against the rest', async () => {
  await backend();
  // two 8-pixel patterns, 64 copies each
  const patterns = [
    [1, 1, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 1, 1],
  ];
  const x = tf.tensor2d(Array.from({ length: 128 }, (_, i) => patterns[i % 2]));
  const means = tf.fill([8], 0.5);
  const rbm = c.buildRbm(means, 6, 11);
  const before = tf.memory().numTensors;
  const recipe = {
    k: 1,
    persistent: false,
    learningRate: 0.1,
    momentum: 0.5,
    weightDecay: 0,
    batch: 16,
    epochs: 30,
    decayFrom: 1,
  };
  const history = await c.trainRbm(rbm, x, recipe, 1, 'test');
  assert.equal(tf.memory().numTensors, before, 'training leaked tensors');
  assert.equal(history.length, 30);
  assert.ok(history[29].loss < history[0].loss, 'reconstruction error did not fall');
  // the exact p(v) of the trained RBM puts most of its mass on the two patterns
  const logZ = c.exactLogZ(rbm);
  const pOf = (v) =>
    tf.tidy(() => Math.exp(-c.freeEnergy(rbm, tf.tensor2d([v])).dataSync()[0] - logZ));
  const mass = pOf(patterns[0]) + pOf(patterns[1]);
  assert.ok(mass > 0.5, `the patterns hold ${mass} of p(v)`);
  tf.dispose([x, means]);
  disposeRbm(rbm);
});

test('the HMM forward algorithm equals the sum over all hidden paths', () => {
  const rng = new ku.Rng(6);
  const normalize = (a) => a.map((x) => x / sum(a));
  const randomRow = (n) => normalize(Array.from({ length: n }, () => rng.uniform() + 0.05));
  for (const [states, symbols, T] of [
    [2, 3, 1],
    [2, 3, 6],
    [3, 4, 7],
  ]) {
    const m = {
      start: randomRow(states),
      transition: Array.from({ length: states }, () => randomRow(states)),
      emission: Array.from({ length: states }, () => randomRow(symbols)),
    };
    const obs = Array.from({ length: T }, () => rng.int(symbols));
    const f = c.hmmForward(m, obs);
    const b = c.hmmBruteForce(m, obs);
    assert.ok(Math.abs(f - b) <= 1e-12 * b, `T ${T}: ${f} vs ${b}`);
    // the probabilities of every sequence of length T sum to 1
    if (T <= 6) {
      let total = 0;
      for (let s = 0; s < symbols ** T; s++)
        total += c.hmmForward(
          m,
          Array.from({ length: T }, (_, t) => Math.floor(s / symbols ** t) % symbols),
        );
      assert.ok(Math.abs(total - 1) < 1e-12, `Σ_x p(x) = ${total}`);
    }
  }
});

// The metrics library against closed forms, brute force, and reference implementations of the
// same definitions (tests/reference/metrics_reference.py: pytorch-fid, prdc, torch-fidelity's
// KID, the original IS code, LPIPS's baseline) on random inputs: agreement to 1e-3 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ku, tf, tempDir, backend, ROOT } from '../helpers.mjs';

await backend();
const dir = tempDir('gn-metrics-');
const REF = path.join(ROOT, 'tests', 'reference', 'metrics_reference.py');

function gaussianRows(rng, n, d, shift = 0, scale = 1) {
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = shift + scale * rng.normal();
  return ku.matrix(out, n, d);
}

let files = 0;
function npy(m, shape) {
  const f = path.join(dir, `a${files++}.npy`);
  ku.saveNpy(f, { data: m.data ?? m, shape: shape ?? [m.rows, m.cols] });
  return f;
}

function reference(request) {
  const f = path.join(dir, `req${files++}.json`);
  fs.writeFileSync(f, JSON.stringify(request));
  const r = spawnSync('python3', [REF, f], { encoding: 'utf8' });
  assert.equal(r.status, 0, `reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function close(actual, expected, rel = 1e-3, what = '') {
  const tol = rel * Math.max(Math.abs(expected), 1e-12);
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: ${actual} vs reference ${expected} (tolerance ${tol})`,
  );
}

function stats(mean, cov, d) {
  return { mean: Float64Array.from(mean), cov: Float64Array.from(cov), dim: d, count: 0 };
}

test('FID test vector: μ = 0 vs 1, Σ = I in 2048-d gives 2048', () => {
  const d = 2048;
  const I = new Float64Array(d * d);
  for (let i = 0; i < d; i++) I[i * d + i] = 1;
  const r = ku.frechetDistance(
    stats(new Float64Array(d), I, d),
    stats(new Float64Array(d).fill(1), I, d),
  );
  assert.ok(Math.abs(r.fid - 2048) < 1e-9, `FID ${r.fid}`);
});

test('Fréchet distance matches closed forms: diagonal, rotated and singular covariances', () => {
  const rng = new ku.Rng(1);
  const d = 6;
  // Diagonal: ‖Δμ‖² + Σ (√a − √b)².
  const a = Array.from({ length: d }, () => 0.5 + rng.uniform()),
    b = Array.from({ length: d }, () => 0.1 + 2 * rng.uniform());
  const m1 = Array.from({ length: d }, () => rng.normal()),
    m2 = Array.from({ length: d }, () => rng.normal());
  const diag = (v) => {
    const S = new Float64Array(d * d);
    v.forEach((x, i) => (S[i * d + i] = x));
    return S;
  };
  let expected = 0;
  for (let i = 0; i < d; i++)
    expected += (m1[i] - m2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
  close(
    ku.frechetDistance(stats(m1, diag(a), d), stats(m2, diag(b), d)).fid,
    expected,
    1e-10,
    'diagonal',
  );
  // Σ₁ = I, Σ₂ = Q diag(λ) Qᵀ: tr (Σ₂)^½ = Σ √λ, whatever the rotation Q.
  const theta = 0.7,
    c = Math.cos(theta),
    s = Math.sin(theta);
  const lam = [4, 0.25, 9, 1, 2, 0.5];
  const S2 = diag(lam);
  // rotate coordinates 0 and 1, and 2 and 3
  const Q = diag(Array(d).fill(1));
  Q[0] = c;
  Q[1] = -s;
  Q[d] = s;
  Q[d + 1] = c;
  Q[2 * d + 2] = c;
  Q[2 * d + 3] = -s;
  Q[3 * d + 2] = s;
  Q[3 * d + 3] = c;
  const R = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += Q[i * d + k] * lam[k] * Q[j * d + k];
      R[i * d + j] = v;
    }
  const zero = new Array(d).fill(0);
  expected = d + lam.reduce((x, y) => x + y, 0) - 2 * lam.reduce((x, y) => x + Math.sqrt(y), 0);
  close(
    ku.frechetDistance(stats(zero, diag(Array(d).fill(1)), d), stats(zero, R, d)).fid,
    expected,
    1e-10,
    'rotated',
  );
  // Rank-deficient: both covariances supported on the first 2 coordinates.
  const sing = [3, 1, 0, 0, 0, 0],
    sing2 = [1, 4, 0, 0, 0, 0];
  expected = (Math.sqrt(3) - 1) ** 2 + (1 - 2) ** 2;
  const r = ku.frechetDistance(stats(zero, diag(sing), d), stats(zero, diag(sing2), d));
  close(r.fid, expected, 1e-10, 'singular');
  assert.equal(r.offsetApplied, false);
});

test('FID agrees with pytorch-fid (scipy sqrtm) on random features: n > d, n < d, unequal n', () => {
  const rng = new ku.Rng(2);
  for (const [n1, n2, d, shift, scale] of [
    [400, 300, 24, 0.3, 1.5],
    [500, 500, 64, 0.05, 1],
    [40, 60, 64, 0.5, 1],
    [1000, 200, 10, 0, 1],
  ]) {
    const a = gaussianRows(rng, n1, d);
    const b = gaussianRows(rng, n2, d, shift, scale);
    const mine = ku.fid(a, b);
    const ref = reference({ op: 'fid', a: npy(a), b: npy(b) }).fid;
    close(mine, ref, 1e-3, `FID n=${n1}/${n2} d=${d}`);
  }
});

test('the symmetric eigenvalue solver agrees with the trace and Frobenius norm, and Cholesky factors reproduce S', () => {
  const rng = new ku.Rng(3);
  for (const n of [1, 2, 5, 33, 120]) {
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = rng.normal();
    let trace = 0,
      frob = 0;
    for (let i = 0; i < n; i++) trace += A[i * n + i];
    for (const v of A) frob += v * v;
    const ev = ku.symmetricEigenvalues(Float64Array.from(A), n);
    close(
      ev.reduce((x, y) => x + y, 0),
      trace,
      1e-9,
      `trace n=${n}`,
    );
    close(
      ev.reduce((x, y) => x + y * y, 0),
      frob,
      1e-9,
      `Frobenius n=${n}`,
    );
    for (let i = 1; i < n; i++) assert.ok(ev[i - 1] <= ev[i]);
  }
  const X = gaussianRows(rng, 5, 12); // rank 4 after centring
  const { covariance: cov } = ku.sampleCovariance(X);
  const f = ku.pivotedCholesky(cov, 12);
  assert.equal(f.rank, 4);
  for (let i = 0; i < 12; i++)
    for (let j = 0; j < 12; j++) {
      let v = 0;
      for (const col of f.columns) v += col[i] * col[j];
      assert.ok(Math.abs(v - cov[i * 12 + j]) < 1e-12 * 50, `F Fᵀ ≠ S at ${i},${j}`);
    }
});

test('k-th neighbour radii equal brute force', () => {
  const rng = new ku.Rng(4);
  const X = gaussianRows(rng, 57, 7);
  for (const k of [1, 3, 5]) {
    const radii = ku.kthNeighbourSquaredRadii(X, k);
    for (let i = 0; i < X.rows; i++) {
      const d2 = [];
      for (let j = 0; j < X.rows; j++) {
        let s = 0;
        for (let c = 0; c < 7; c++) s += (X.data[i * 7 + c] - X.data[j * 7 + c]) ** 2;
        d2.push(s);
      }
      d2.sort((p, q) => p - q);
      assert.ok(
        Math.abs(radii[i] - d2[k]) < 1e-4 * (1 + d2[k]),
        `row ${i}, k=${k}: ${radii[i]} vs ${d2[k]}`,
      );
    }
  }
});

test('precision, recall, density and coverage agree with prdc (and ≤-precision/recall with Kynkäänniemi et al.)', () => {
  const rng = new ku.Rng(5);
  for (const [n1, n2, d, shift, scale, k] of [
    [300, 200, 8, 0.5, 1.3, 5],
    [250, 250, 16, 0, 1, 3],
    [120, 400, 4, 1, 0.5, 5],
  ]) {
    const real = gaussianRows(rng, n1, d);
    const fake = gaussianRows(rng, n2, d, shift, scale);
    const mine = ku.precisionRecallDensityCoverage(real, fake, { k });
    const ref = reference({ op: 'prdc', real: npy(real), fake: npy(fake), k });
    close(mine.precision, ref.ipr_precision, 1e-3, 'precision');
    close(mine.recall, ref.ipr_recall, 1e-3, 'recall');
    close(mine.precision, ref.precision, 1e-3, 'precision (prdc)');
    close(mine.recall, ref.recall, 1e-3, 'recall (prdc)');
    close(mine.density, ref.density, 1e-3, 'density');
    close(mine.coverage, ref.coverage, 1e-3, 'coverage');
  }
});

test("prdc's sanity setting: N(0, I) vs N(0, I), 10,000 × 10,000 in 1000-d, k = 5", () => {
  const rng = new ku.Rng(6);
  const real = gaussianRows(rng, 10000, 1000);
  const fake = gaussianRows(rng, 10000, 1000);
  const t0 = Date.now();
  const r = ku.precisionRecallDensityCoverage(real, fake, { k: 5 });
  console.log(`prdc sanity: ${JSON.stringify(r)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // The same definitions on the same data agree…
  const ref = reference({ op: 'prdc', real: npy(real), fake: npy(fake), k: 5 });
  for (const key of ['precision', 'recall', 'density', 'coverage'])
    close(r[key], ref[key], 1e-3, `sanity ${key}`);
  // …and land where prdc's README does (P 0.477, R 0.471, D 1.056, C 0.974). The bands are the
  // draw-to-draw spread of the reference over three seeds measured here: P 0.456–0.497,
  // R 0.474–0.486, D 0.912–1.070, C 0.956–0.974.
  assert.ok(Math.abs(r.precision - 0.477) < 0.03, `precision ${r.precision}`);
  assert.ok(Math.abs(r.recall - 0.471) < 0.03, `recall ${r.recall}`);
  assert.ok(Math.abs(r.density - 1.0) < 0.12, `density ${r.density}`);
  assert.ok(Math.abs(r.coverage - 0.974) < 0.03, `coverage ${r.coverage}`);
});

test('KID: unbiased polynomial MMD² agrees with the torch-fidelity formula on the same subsets', () => {
  const rng = new ku.Rng(7);
  const real = gaussianRows(rng, 300, 12);
  const fake = gaussianRows(rng, 250, 12, 0.2, 1.2);
  const subsets = 5,
    m = 100;
  const ri = [],
    fi = [];
  for (let s = 0; s < subsets; s++) {
    ri.push(ku.sampleWithoutReplacement(300, m, rng));
    fi.push(ku.sampleWithoutReplacement(250, m, rng));
  }
  const flat = (rows) => Float32Array.from(rows.flatMap((r) => Array.from(r)));
  const ref = reference({
    op: 'kid',
    real: npy(real),
    fake: npy(fake),
    realIdx: npy(flat(ri), [subsets, m]),
    fakeIdx: npy(flat(fi), [subsets, m]),
  });
  for (let s = 0; s < subsets; s++)
    close(ku.polynomialMmd2(real, fake, ri[s], fi[s]), ref.values[s], 1e-3, `subset ${s}`);
  // One subset as large as both sets: a random draw is a permutation, and MMD² ignores order.
  const r250 = ku.matrix(real.data.subarray(0, 250 * 12), 250, 12);
  const ids = Int32Array.from({ length: 250 }, (_, i) => i);
  const whole = ku.kernelInceptionDistance(r250, fake, { subsets: 1, subsetSize: 250, seed: 3 });
  close(whole.mean, ku.polynomialMmd2(r250, fake, ids, ids), 1e-9, 'whole sets');
  assert.equal(whole.std, 0);
  // Equal distributions: KID's mean is near 0 and can be negative; a shifted set is clearly positive.
  const eq = ku.kernelInceptionDistance(gaussianRows(rng, 400, 12), gaussianRows(rng, 400, 12), {
    subsets: 20,
    subsetSize: 200,
  });
  const shifted = ku.kernelInceptionDistance(
    gaussianRows(rng, 400, 12),
    gaussianRows(rng, 400, 12, 0.5),
    { subsets: 20, subsetSize: 200 },
  );
  assert.ok(Math.abs(eq.mean) < 3 * eq.std + 1e-3, `equal distributions: ${JSON.stringify(eq)}`);
  assert.ok(
    shifted.mean > 10 * Math.abs(eq.mean) && shifted.mean > 0.05,
    `shifted: ${JSON.stringify(shifted)}`,
  );
});

test('Inception Score agrees with the original code; one-hot uniform classes give C, a constant prediction 1', () => {
  const rng = new ku.Rng(8);
  const n = 997,
    c = 10;
  const p = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      p[i * c + j] = Math.exp(2 * rng.normal());
      s += p[i * c + j];
    }
    for (let j = 0; j < c; j++) p[i * c + j] /= s;
  }
  const mine = ku.inceptionScore(ku.matrix(p, n, c), { splits: 10 });
  const ref = reference({ op: 'is', probs: npy(ku.matrix(p, n, c)), splits: 10 });
  close(mine.mean, ref.mean, 1e-3, 'IS mean');
  close(mine.std, ref.std, 1e-3, 'IS std');
  const onehot = new Float32Array(1000 * c);
  for (let i = 0; i < 1000; i++) onehot[i * c + (i % c)] = 1;
  close(ku.inceptionScore(ku.matrix(onehot, 1000, c), { splits: 10 }).mean, 10, 1e-9, 'one-hot');
  const constant = new Float32Array(100 * c).fill(0.1);
  close(ku.inceptionScore(ku.matrix(constant, 100, c), { splits: 5 }).mean, 1, 1e-6, 'constant');
  assert.throws(
    () => ku.inceptionScore(ku.matrix(new Float32Array(20).fill(0.3), 2, 10), { splits: 1 }),
    /row 0 sums to 3/,
  );
});

test('conditional accuracy and CLIP-score follow their definitions', () => {
  const probs = ku.matrix(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]), 3, 2);
  assert.equal(ku.conditionalAccuracy(probs, [0, 1, 1]), 2 / 3);
  assert.throws(() => ku.conditionalAccuracy(probs, [0, 1, 2]), /label 2 is 2/);
  const img = ku.matrix(Float32Array.from([1, 0, 3, 4, 1, 1]), 3, 2);
  const txt = ku.matrix(Float32Array.from([2, 0, -4, 3, -1, -1]), 3, 2);
  const r = ku.clipScore(img, txt);
  close(r.scores[0], 2.5, 1e-12, 'parallel');
  close(r.scores[1], 2.5 * Math.max(0, (-12 + 12) / 25), 1e-12, 'orthogonal');
  assert.equal(r.scores[2], 0); // opposite: clipped at 0
});

test('LPIPS-style distance agrees with the LPIPS baseline formula; identical inputs give 0', () => {
  const rng = new ku.Rng(9);
  const shapes = [
    [3, 6, 6, 4],
    [3, 3, 3, 8],
  ];
  const make = () =>
    shapes.map((s) => {
      const v = new Float32Array(s.reduce((a, b) => a * b));
      for (let i = 0; i < v.length; i++) v[i] = Math.max(0, rng.normal());
      return v;
    });
  const a = make(),
    b = make();
  const ta = a.map((v, l) => tf.tensor4d(v, shapes[l])),
    tb = b.map((v, l) => tf.tensor4d(v, shapes[l]));
  const before = tf.memory().numTensors;
  const mine = ku.lpipsStyleDistance(ta, tb);
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  const ref = reference({
    op: 'lpips',
    a: a.map((v, l) => npy(v, shapes[l])),
    b: b.map((v, l) => npy(v, shapes[l])),
  }).distances;
  ref.forEach((x, i) => close(mine[i], x, 1e-3, `pair ${i}`));
  for (const x of ku.lpipsStyleDistance(ta, ta)) assert.ok(Math.abs(x) < 1e-6);
  tf.dispose([...ta, ...tb]);
});

test('metrics refuse bad input with a clear message', () => {
  const rng = new ku.Rng(10);
  const few = gaussianRows(rng, 5, 3);
  assert.throws(
    () => ku.precisionRecallDensityCoverage(few, gaussianRows(rng, 50, 3), { k: 5 }),
    /real features: 5 samples are too few for k = 5/,
  );
  const nan = gaussianRows(rng, 10, 3);
  nan.data[7] = NaN;
  assert.throws(
    () => ku.fid(nan, gaussianRows(rng, 10, 3)),
    /real features: row 2, column 1 is NaN/,
  );
  assert.throws(
    () => ku.fid(gaussianRows(rng, 10, 3), gaussianRows(rng, 10, 4)),
    /feature dimensions differ/,
  );
  assert.throws(
    () =>
      ku.kernelInceptionDistance(gaussianRows(rng, 10, 3), gaussianRows(rng, 10, 3), {
        subsetSize: 20,
      }),
    /subset size 20 exceeds/,
  );
});

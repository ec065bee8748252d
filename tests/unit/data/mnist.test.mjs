import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ku, require } from '../helpers.mjs';

test('the embedded split is the first round(0.8·n) digits of each file for training', () => {
  const ds = ku.loadMnist('embedded');
  let train = 0;
  let test = 0;
  for (let d = 0; d < 10; d++) {
    const raw = JSON.parse(
      fs.readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8'),
    ).data;
    const n = raw.length / 784;
    const nTrain = Math.round(0.8 * n);
    assert.equal(ds.train.labels.filter((l) => l === d).length, nTrain, `digit ${d} train count`);
    assert.equal(ds.test.labels.filter((l) => l === d).length, n - nTrain, `digit ${d} test count`);
    train += nTrain;
    test += n - nTrain;
    // The first test image of digit d is image nTrain of its file, pixel for pixel.
    const k = ds.test.labels.indexOf(d);
    const expected = raw.slice(nTrain * 784, (nTrain + 1) * 784);
    const got = Array.from(ds.test.images.subarray(k * 784, (k + 1) * 784));
    assert.ok(
      got.every((v, i) => Math.abs(v - expected[i]) < 1e-6),
      `digit ${d}: first test image`,
    );
  }
  assert.equal(train + test, 10000);
  assert.equal(ds.train.n, train);
  assert.equal(ds.test.n, test);
  assert.ok(Math.abs(train - 8000) <= 10 && Math.abs(test - 2000) <= 10, `${train}/${test}`);
});

test('embedded splits are interleaved by class and pixels lie in [0, 1]', () => {
  const ds = ku.loadMnist('embedded');
  assert.deepEqual(
    Array.from(ds.train.labels.subarray(0, 20)),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ds.train.images) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.equal(lo, 0);
  assert.ok(hi > 0.99 && hi <= 1, `max ${hi}`);
  const { x, y } = ku.splitTensors(ds.test, { count: 5, start: 10, flat: true });
  assert.deepEqual(x.shape, [5, 784]);
  assert.deepEqual(Array.from(y.dataSync()), [0, 1, 2, 3, 4]);
  x.dispose();
  y.dispose();
});

test('binarization: static thresholds, dynamic draws Bernoulli(x) reproducibly', () => {
  const px = Float32Array.from({ length: 20000 }, (_, i) => (i % 2 ? 0.25 : 0.75));
  const s = ku.staticBinarize(px, 0.5);
  assert.equal(s[0], 1);
  assert.equal(s[1], 0);
  const a = ku.dynamicBinarize(px, 3);
  const b = ku.dynamicBinarize(px, 3);
  assert.deepEqual(a, b);
  const meanOdd = a.filter((_, i) => i % 2).reduce((t, v) => t + v, 0) / 10000;
  const meanEven = a.filter((_, i) => i % 2 === 0).reduce((t, v) => t + v, 0) / 10000;
  assert.ok(
    Math.abs(meanOdd - 0.25) < 0.02 && Math.abs(meanEven - 0.75) < 0.02,
    `${meanOdd} ${meanEven}`,
  );
});

test('Fashion-MNIST loads from datasets/ or the Debian package, with 10 clothing classes', (t) => {
  assert.ok(
    ku.hasFashionMnist(),
    `Fashion-MNIST should be installed for the tests (apt-get install dataset-fashion-mnist); searched ${ku.fashionMnistDirs().join(', ')}`,
  );
  const f = ku.loadFashionMnist();
  assert.equal(f.train.n, 60000);
  assert.equal(f.test.n, 10000);
  assert.equal(f.classNames[9], 'Ankle boot');
  assert.equal(new Set(f.test.labels).size, 10);
});

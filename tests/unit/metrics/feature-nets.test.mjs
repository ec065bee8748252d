// The shipped feature networks (kernel-utils/feature-net/): measured here on the embedded test
// split, not read from their cards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ku, tf, tempDir, backend } from '../helpers.mjs';

await backend();
const mnist = ku.loadEmbeddedMnist();

test('the digit classifier: ≥ 98% held-out accuracy, IS of the real test digits ≥ 9.5, feature shapes', async () => {
  const net = await ku.loadDigitClassifier();
  const before = tf.memory().numTensors;
  const { features, probs } = ku.digitFeatures(net, mnist.test.images);
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  assert.equal(features.cols, 128);
  assert.equal(probs.cols, 10);
  assert.equal(features.rows, mnist.test.n);
  const accuracy = ku.conditionalAccuracy(probs, mnist.test.labels);
  const is = ku.inceptionScore(probs, { splits: 10 });
  console.log(`digit classifier: test accuracy ${accuracy}, IS ${is.mean} ± ${is.std}`);
  assert.ok(accuracy >= 0.98, `held-out accuracy ${accuracy}`);
  assert.ok(is.mean >= 9.5, `IS of real test digits ${is.mean}`);
  const taps = net.taps.outputs.map((o) => o.shape.slice(1).join('×'));
  assert.deepEqual(taps, ['28×28×16', '14×14×32', '7×7×64', '128', '10']);
});

test('the LPIPS-style digit distance: 0 for identical images, symmetric, grows with the change, no leaks', async () => {
  const net = await ku.loadDigitClassifier();
  const a = mnist.test.images.subarray(0, 20 * 784);
  const b = mnist.test.images.subarray(20 * 784, 40 * 784);
  const before = tf.memory().numTensors;
  const same = ku.digitPerceptualDistance(net, a, a);
  const ab = ku.digitPerceptualDistance(net, a, b);
  const ba = ku.digitPerceptualDistance(net, b, a);
  assert.equal(tf.memory().numTensors, before);
  for (let i = 0; i < 20; i++) {
    assert.ok(Math.abs(same[i]) < 1e-6, `d(x, x) = ${same[i]}`);
    assert.ok(Math.abs(ab[i] - ba[i]) < 1e-5 * (1 + ab[i]), 'symmetric');
    assert.ok(ab[i] > 0);
  }
  const noisy = (s) => a.map((v) => Math.min(1, Math.max(0, v + s * (Math.random() - 0.5))));
  const d1 = ku.digitPerceptualDistance(net, a, noisy(0.2)).reduce((x, y) => x + y, 0);
  const d2 = ku.digitPerceptualDistance(net, a, noisy(0.8)).reduce((x, y) => x + y, 0);
  assert.ok(d2 > d1, `more noise, larger distance (${d1} vs ${d2})`);
  assert.throws(
    () => ku.digitPerceptualDistance(net, a, b.subarray(0, 784 * 3)),
    /20 and 3 images/,
  );
  assert.throws(
    () =>
      ku.digitFeatures(net, Float32Array.from([2, ...new Array(783).fill(0)]), { name: 'probe' }),
    /probe: image 0, pixel 0 is 2; pixels must be in \[0, 1\]/,
  );
});

test('the digit CLIP: zero-shot accuracy, right captions score above wrong ones, strict vocabulary', async () => {
  const clip = await ku.loadDigitClip();
  const zs = ku.clipZeroShot(clip, mnist.test.images);
  let hits = 0;
  for (let i = 0; i < mnist.test.n; i++) hits += zs[i] === mnist.test.labels[i] ? 1 : 0;
  const acc = hits / mnist.test.n;
  const n = 500;
  const imgs = mnist.test.images.subarray(0, n * 784);
  const labels = Array.from(mnist.test.labels.subarray(0, n));
  const right = ku.digitClipScore(
    clip,
    imgs,
    labels.map((y) => ku.digitCaption(y, null, 1)),
  ).mean;
  const wrong = ku.digitClipScore(
    clip,
    imgs,
    labels.map((y) => ku.digitCaption((y + 3) % 10, null, 1)),
  ).mean;
  console.log(`digit CLIP: zero-shot ${acc}, CLIP-score right ${right} vs wrong ${wrong}`);
  assert.ok(acc >= 0.95, `zero-shot accuracy ${acc}`);
  assert.ok(right > wrong + 0.5, `right ${right} vs wrong ${wrong}`);
  assert.throws(
    () => ku.bagOfWords('a handwritten dragon'),
    /the word "dragon" is not in the digit CLIP's vocabulary/,
  );
  assert.deepEqual(
    Array.from(ku.bagOfWords('The digit 7')).reduce((s, v) => s + v, 0),
    3,
  );
});

test('missing weights give a clear error naming the folder and the command', async () => {
  const dir = path.join(tempDir('gn-nofeat-'), 'digit-classifier');
  await assert.rejects(
    ku.loadDigitClassifier(dir),
    /digit-classifier: the digit classifier's weights are missing; run `npm run train:feature-nets`/,
  );
});

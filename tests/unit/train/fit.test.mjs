import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

// y = 3x − 1 + noise; a one-unit dense layer should find it.
function regressionData(n = 256) {
  const rng = new ku.Rng(11);
  const xs = Float32Array.from({ length: n }, () => rng.normal());
  const ys = xs.map((x) => 3 * x - 1 + 0.05 * rng.normal());
  return [tf.tensor2d(xs, [n, 1]), tf.tensor2d(ys, [n, 1])];
}

async function trainOnce(seed, epochs = 3) {
  ku.seedEverything(seed);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [1], activation: 'tanh' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const data = regressionData();
  const history = await ku.fit({
    data,
    epochs,
    batchSize: 32,
    optimizer: tf.train.adam(0.05),
    loss: ([x, y]) => tf.losses.meanSquaredError(y, model.apply(x)),
    progress: false,
  });
  tf.dispose(data);
  model.dispose();
  return history;
}

test('fit: the same seed on the same backend gives the same losses; the loss falls', async () => {
  await backend();
  const a = await trainOnce(123);
  const b = await trainOnce(123);
  assert.deepEqual(
    a.map((h) => h.loss),
    b.map((h) => h.loss),
  );
  const c = await trainOnce(124);
  assert.notDeepEqual(
    a.map((h) => h.loss),
    c.map((h) => h.loss),
  );
  assert.ok(a[2].loss < a[0].loss, `${a.map((h) => h.loss)}`);
  assert.deepEqual(
    a.map((h) => h.epoch),
    [1, 2, 3],
  );
});

test('fit: an epoch leaves tf.memory().numTensors as it found it', async () => {
  await backend();
  ku.seedEverything(1);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [1], activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const data = regressionData(100);
  const optimizer = tf.train.adam(0.01);
  const opts = {
    data,
    epochs: 1,
    batchSize: 16,
    optimizer,
    keepOptimizer: true, // one optimizer across the three fit calls below
    loss: ([x, y]) => tf.losses.meanSquaredError(y, model.apply(x)),
    onEpochEnd: () => ({
      val: ku.evaluateInBatches(
        data,
        ([x, y]) => tf.losses.meanSquaredError(y, model.predict(x)),
        30,
      ),
    }),
    progress: false,
  };
  await ku.fit(opts); // the first epoch creates Adam's moment variables
  const before = tf.memory().numTensors;
  await ku.fit(opts);
  assert.equal(tf.memory().numTensors, before);
  await ku.fit({ ...opts, epochs: 3 });
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(data);
  model.dispose();
  optimizer.dispose();
});

test('fit: by default the optimizer and its moment estimates are freed when training ends', async () => {
  await backend();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
  const data = regressionData(64);
  const before = tf.memory().numTensors;
  const history = await ku.fit({
    data,
    epochs: 2,
    batchSize: 16,
    optimizer: tf.train.adam(0.01), // 2 moments per weight: 4 slots, plus its β powers
    loss: ([x, y]) => tf.losses.meanSquaredError(y, model.apply(x)),
    progress: false,
  });
  assert.equal(history.length, 2);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(data);
  model.dispose();
});

test('fit: a NaN loss stops training with a clear message and leaks nothing', async () => {
  await backend();
  const w = tf.variable(tf.scalar(1));
  const x = tf.ones([40, 1]);
  const optimizer = tf.train.sgd(0.1); // holds its learning rate as a tensor
  const before = tf.memory().numTensors;
  await assert.rejects(
    ku.fit({
      name: 'exploding',
      data: [x],
      epochs: 2,
      batchSize: 10,
      optimizer,
      keepOptimizer: true,
      loss: ([b]) => tf.log(b.mul(w).sub(2)).mean(),
      progress: false,
    }),
    (e) =>
      e instanceof ku.NonFiniteLossError &&
      /exploding: the loss became NaN at epoch 1/.test(e.message) &&
      /learning rate/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  const y = tf.ones([3]);
  await assert.rejects(
    ku.fit({
      data: [x, y],
      epochs: 1,
      batchSize: 1,
      optimizer,
      keepOptimizer: true,
      loss: () => w.mul(1),
      progress: false,
    }),
    /same number of rows; got 40, 3/,
  );
  tf.dispose([w, x, y]);
  optimizer.dispose();
});

test('evaluateInBatches equals the full-batch mean', async () => {
  await backend();
  const x = tf.range(0, 103).reshape([103, 1]);
  const full = x.square().mean().dataSync()[0];
  const batched = ku.evaluateInBatches([x], ([b]) => b.square().mean(), 10);
  assert.ok(Math.abs(full - batched) / full < 1e-6, `${full} vs ${batched}`);
  // the asynchronous variant: the same number, and no tensor left behind
  const before = tf.memory().numTensors;
  const read = await ku.evaluateInBatchesAsync([x], ([b]) => b.square().mean(), 10);
  assert.equal(read, batched);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('fit: afterStep runs after every optimizer step, sees the updated weights, leaks nothing', async () => {
  ku.seedEverything(3);
  const w = tf.variable(tf.zeros([1, 1]));
  const data = regressionData(64);
  const seen = [];
  const before = tf.memory().numTensors;
  await ku.fit({
    data,
    epochs: 2,
    batchSize: 16,
    optimizer: tf.train.sgd(0.1),
    varList: [w],
    loss: ([x, y]) => tf.losses.meanSquaredError(y, x.matMul(w)),
    // a tensor made here must not outlive the call
    afterStep: (step) => seen.push([step, w.add(0).dataSync()[0]]),
    progress: false,
  });
  assert.equal(tf.memory().numTensors, before);
  // 64 rows in batches of 16: 4 steps per epoch, numbered 1…8
  assert.deepEqual(
    seen.map(([s]) => s),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  // the first call already sees the first step's update (w moves from 0 towards 3)
  assert.ok(seen[0][1] > 0, `w after step 1: ${seen[0][1]}`);
  assert.ok(seen[7][1] > seen[0][1]);
  tf.dispose([w, ...data]);
});

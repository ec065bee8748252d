import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ku, tf, backend, tempDir } from '../helpers.mjs';

function makeModel(units = 4) {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units, inputShape: [3], activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
}

test('a Layers model round-trips through a checkpoint, and tf.loadLayersModel reads it', async () => {
  await backend();
  ku.seedEverything(3);
  const dir = path.join(tempDir(), 'ckpt');
  const a = makeModel();
  await ku.saveCheckpoint(dir, a, { config: { units: 4 }, history: [{ epoch: 1, loss: 0.5 }] });
  const b = makeModel();
  const meta = await ku.loadCheckpoint(dir, b);
  assert.deepEqual(meta.config, { units: 4 });
  assert.deepEqual(meta.history, [{ epoch: 1, loss: 0.5 }]);
  const x = tf.randomNormal([5, 3]);
  assert.deepEqual(Array.from(b.predict(x).dataSync()), Array.from(a.predict(x).dataSync()));
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const weightSpecs = modelJson.weightsManifest[0].weights;
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const c = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    }),
  );
  assert.deepEqual(Array.from(c.predict(x).dataSync()), Array.from(a.predict(x).dataSync()));
  tf.dispose([x]);
  [a, b, c].forEach((m) => m.dispose());
});

test('several Layers models (an encoder and a decoder) round-trip in one checkpoint', async () => {
  await backend();
  const dir = path.join(tempDir(), 'pair');
  const pair = () => [
    makeModel(4),
    tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] }),
  ];
  const a = pair();
  await ku.saveCheckpoint(dir, a);
  const b = pair();
  await ku.loadCheckpoint(dir, b);
  const x = tf.randomNormal([2, 3]);
  const z = tf.randomNormal([2, 2]);
  assert.deepEqual(Array.from(b[0].predict(x).dataSync()), Array.from(a[0].predict(x).dataSync()));
  assert.deepEqual(Array.from(b[1].predict(z).dataSync()), Array.from(a[1].predict(z).dataSync()));
  await assert.rejects(
    ku.loadCheckpoint(dir, [makeModel(4)]),
    /holds 6 weights but the model has 4/,
  );
  tf.dispose([x, z]);
  [...a, ...b].forEach((m) => m.dispose());
});

test('named variables round-trip; a different architecture is a clear error', async () => {
  await backend();
  const dir = path.join(tempDir(), 'vars');
  const vars = {
    mu: tf.variable(tf.tensor1d([1, 2, 3])),
    logSigma: tf.variable(tf.tensor2d([[0.5]])),
  };
  await ku.saveCheckpoint(dir, vars);
  const fresh = { mu: tf.variable(tf.zeros([3])), logSigma: tf.variable(tf.zeros([1, 1])) };
  await ku.loadCheckpoint(dir, fresh);
  assert.deepEqual(Array.from(fresh.mu.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(fresh.logSigma.dataSync()), [0.5]);
  const wrongShape = { mu: tf.variable(tf.zeros([4])), logSigma: tf.variable(tf.zeros([1, 1])) };
  await assert.rejects(
    ku.loadCheckpoint(dir, wrongShape),
    (e) =>
      e.message.includes(dir) &&
      /shape \[3\] in the checkpoint but \[4\] in the model/.test(e.message),
  );
  await assert.rejects(ku.loadCheckpoint(dir, [fresh.mu]), /holds 2 weights but the model has 1/);
  await assert.rejects(
    ku.loadCheckpoint(path.join(dir, 'nope'), fresh),
    /no complete checkpoint here/,
  );
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(3));
  await assert.rejects(
    ku.loadCheckpoint(dir, fresh),
    /weights\.bin: 3 bytes, the manifest describes 16/,
  );
  tf.dispose([
    vars.mu,
    vars.logSigma,
    fresh.mu,
    fresh.logSigma,
    wrongShape.mu,
    wrongShape.logSigma,
  ]);
});

test('saving is atomic: a failure while writing leaves the previous checkpoint intact', () => {
  const dir = path.join(tempDir(), 'atomic');
  ku.replaceDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, 'a.txt'), 'old'));
  assert.throws(
    () =>
      ku.replaceDirAtomic(dir, (tmp) => {
        fs.writeFileSync(path.join(tmp, 'a.txt'), 'half-written');
        throw new Error('disk full');
      }),
    /disk full/,
  );
  assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old');
  assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['atomic']);
  ku.writeFileAtomic(path.join(dir, 'b.txt'), 'new');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.txt', 'b.txt']);
});

test('loadOrTrain trains once, reloads on re-run, retrains when the config changes or when asked', async () => {
  await backend();
  const calls = [];
  const run = async (config, retrain) => {
    const model = makeModel();
    const out = await ku.loadOrTrain({
      notebook: 'unit-test',
      name: 'tiny',
      model,
      config,
      retrain,
      log: () => {},
      train: async () => {
        calls.push(config);
        // "Training" sets the output bias to the call count, so we can tell which weights were loaded.
        tf.tidy(() =>
          model.layers[1].setWeights([model.layers[1].getWeights()[0], tf.fill([2], calls.length)]),
        );
        return [{ epoch: 1, loss: calls.length }];
      },
    });
    const bias = Array.from(model.layers[1].getWeights()[1].dataSync());
    model.dispose();
    return { ...out, bias };
  };
  const first = await run({ lr: 1 });
  assert.equal(first.trained, true);
  const second = await run({ lr: 1 });
  assert.equal(second.trained, false);
  assert.deepEqual(second.result, [{ epoch: 1, loss: 1 }]);
  assert.deepEqual(second.bias, [1, 1]);
  const third = await run({ lr: 2 });
  assert.equal(third.trained, true);
  assert.match(third.reason, /config changed/);
  const fourth = await run({ lr: 2 }, true);
  assert.equal(fourth.trained, true);
  assert.deepEqual(fourth.bias, [3, 3]);
  assert.equal(calls.length, 3);
});

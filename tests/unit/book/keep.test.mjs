// nb.keep / keepModel: holding a model by name disposes the one it replaces, so a re-run cell
// frees what it built before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

function mlp() {
  return tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [2] }), tf.layers.dense({ units: 1 })],
  });
}

test('keepModel: replacing a held model (or object of models) disposes the old one', async () => {
  await backend();
  const before = tf.memory().numTensors;
  ku.keepModel('test/a', { encoder: mlp(), decoder: mlp(), encode: () => 0 });
  const once = tf.memory().numTensors;
  assert.equal(once - before, 8, 'two models of four weights each');
  for (let i = 0; i < 3; i++) ku.keepModel('test/a', { encoder: mlp(), decoder: mlp() });
  assert.equal(tf.memory().numTensors, once);
  const t = ku.keepModel('test/t', tf.ones([4]));
  ku.keepModel('test/t', [tf.zeros([2]), tf.zeros([3])]);
  assert.ok(t.isDisposed);
  ku.releaseModels('test/');
  assert.equal(tf.memory().numTensors, before);
});

test('keepModel: a part the new value still holds is not disposed', async () => {
  await backend();
  const shared = mlp();
  ku.keepModel('test/s', [shared, mlp()]);
  ku.keepModel('test/s', [shared]);
  assert.doesNotThrow(() => shared.predict(tf.ones([1, 2])).dispose());
  ku.releaseModels('test/');
});

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

test('keepModel: a model built from two held parts frees all weights, whatever the key order', async () => {
  await backend();
  const build = () => {
    const encoder = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4] })] });
    const decoder = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2] })] });
    const input = tf.input({ shape: [4] });
    const autoencoder = tf.model({ inputs: input, outputs: decoder.apply(encoder.apply(input)) });
    return { encoder, decoder, autoencoder }; // the parts before the whole
  };
  const before = tf.memory().numTensors;
  ku.keepModel('test/ae', build());
  const once = tf.memory().numTensors;
  assert.equal(once - before, 4);
  ku.keepModel('test/ae', build());
  ku.keepModel('test/ae', build());
  assert.equal(tf.memory().numTensors, once);
  ku.releaseModels('test/');
  assert.equal(tf.memory().numTensors, before);
});

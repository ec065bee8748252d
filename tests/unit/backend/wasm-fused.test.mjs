// kernel-utils' own SIMD kernels on the wasm backend (kernel-utils/src/backend/simd/fused.wat), against
// tfjs' unfused code on the cpu backend. They do the same float32 operations in the same order,
// so the test asks for equal bits, not a tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

await ku.initBackend('wasm');
const patches = ku.patchWasmBackend();

/**
 * `steps` Adam steps on variables of the given shapes with fixed random gradients, on `backend`.
 * Gradient i of step s is null where `missing(s, i)`. Returns the variables, both moments and
 * the optimizer's saved weights as plain arrays, and the tensor count after the first step and
 * after the last.
 */
async function adamRun(
  backend,
  shapes,
  steps,
  { lr = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon, asArray = false, missing = () => false } = {},
) {
  await tf.setBackend(backend);
  const rng = new ku.Rng(7);
  const rand = (shape) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
      shape,
    );
  const vars = shapes.map((s, i) =>
    tf.variable(rand(s), true, `adam-test-${backend}-${i}-${asArray}`),
  );
  const opt = tf.train.adam(lr, beta1, beta2, epsilon);
  const grads = Array.from({ length: steps }, () =>
    shapes.map((s) => rand(s).mul(rng.uniform() * 3)),
  );
  let before = tf.memory().numTensors;
  for (let s = 0; s < steps; s++) {
    if (s === 1) before = tf.memory().numTensors; // step 0 creates the moments, which the optimizer keeps
    const entries = vars.map((v, i) => [v.name, missing(s, i) ? null : grads[s][i]]);
    opt.applyGradients(
      asArray
        ? entries.map(([name, tensor]) => ({ name, tensor }))
        : Object.fromEntries(entries.filter(([, g]) => g)),
    );
  }
  const after = tf.memory().numTensors;
  const weights = await opt.getWeights();
  const out = {
    vars: vars.map((v) => Array.from(v.dataSync())),
    weights: weights.map((w) => ({
      name: w.name.replace(backend, '*'),
      values: Array.from(w.tensor.dataSync()),
    })),
    iterations: opt.iterations,
    before,
    after,
  };
  tf.dispose([vars, grads.flat()]);
  opt.dispose();
  await tf.setBackend('wasm');
  return out;
}

test('tf.train.adam on wasm runs the fused kernel', () => {
  assert.ok(
    patches.some((p) => p.startsWith('tf.train.adam')),
    patches.join('; '),
  );
});

test('fused Adam on wasm equals tfjs Adam on cpu bit for bit: odd sizes, scalars, 40 steps', async () => {
  // sizes 1, 3, 4, 5, 7·13: the SIMD loop and its scalar tail; a 784×33 matrix; a scalar variable
  const shapes = [[1], [3], [4], [5], [7, 13], [784, 33], []];
  const a = await adamRun('wasm', shapes, 40);
  const b = await adamRun('cpu', shapes, 40);
  assert.equal(a.after, a.before, 'wasm: Adam steps leaked tensors');
  assert.equal(b.after, b.before);
  assert.equal(a.iterations, 40);
  assert.deepEqual(a.vars, b.vars);
  assert.deepEqual(a.weights, b.weights); // iterations, then every m, then every v, with their names
  // and the variables moved: the comparison is not between two untouched copies
  const start = await adamRun('wasm', shapes, 0);
  assert.notDeepEqual(a.vars, start.vars);
});

test('fused Adam: gradients as an array with missing ones, other hyper-parameters, as on cpu', async () => {
  const shapes = [[9, 2], [6], [130]];
  const opts = {
    lr: 0.3,
    beta1: 0.5,
    beta2: 0.75,
    epsilon: 1e-3,
    asArray: true,
    missing: (s, i) => (s + i) % 3 === 0,
  };
  const a = await adamRun('wasm', shapes, 12, opts);
  const b = await adamRun('cpu', shapes, 12, opts);
  assert.deepEqual(a.vars, b.vars);
  assert.deepEqual(a.weights, b.weights);
});

test('a model trained with fused Adam on wasm saves and restores its optimizer, and resumes as on cpu', async () => {
  const train = async (backend) => {
    await tf.setBackend(backend);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [5],
          units: 3,
          activation: 'tanh',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 2,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    const x = tf.tensor2d(
      Array.from({ length: 40 }, (_, i) => Math.sin(i)),
      [8, 5],
    );
    const y = tf.tensor2d(
      Array.from({ length: 16 }, (_, i) => Math.cos(i)),
      [8, 2],
    );
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
    const saved = await model.optimizer.getWeights();
    const copy = tf.train.adam(0.05);
    await copy.setWeights(saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
    const result = {
      loss: h.history.loss,
      weights: model.getWeights().map((w) => Array.from(w.dataSync())),
      restoredIterations: copy.iterations,
    };
    tf.dispose([x, y]);
    model.dispose();
    copy.dispose();
    return result;
  };
  const a = await train('wasm');
  const b = await train('cpu');
  await tf.setBackend('wasm');
  assert.equal(a.restoredIterations, 10);
  assert.deepEqual(
    a.weights.map((w) => w.length),
    b.weights.map((w) => w.length),
  );
  // forward and backward passes differ in summation order between backends: a tolerance here
  a.weights
    .flat()
    .forEach((v, i) =>
      assert.ok(
        Math.abs(v - b.weights.flat()[i]) < 1e-4,
        `weight ${i}: ${v} vs ${b.weights.flat()[i]}`,
      ),
    );
  assert.ok(a.loss[4] < a.loss[0], `loss fell: ${a.loss}`);
});

test('Identity on wasm shares data instead of copying it, and frees it with the last reference', async () => {
  await tf.setBackend('wasm');
  const before = tf.memory();
  const buffers = tf.backend().numDataIds();
  const x = tf.tensor([1, 2, 3, 4, 5]);
  const y = tf.engine().runKernel('Identity', { x });
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5]);
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers + 1, 'no second buffer');
  assert.equal(tf.backend().numDataIds(), buffers + 1, 'no second buffer in wasm memory');
  x.dispose();
  assert.deepEqual(
    Array.from(y.dataSync()),
    [1, 2, 3, 4, 5],
    'still readable after the input is disposed',
  );
  y.dispose();
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.backend().numDataIds(), buffers, 'the shared buffer is freed');
});

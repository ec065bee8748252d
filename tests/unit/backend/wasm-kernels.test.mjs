// The wasm backend as patched by kernel-utils (wasm.ts) against the cpu reference backend, over
// random shapes: odd sizes, batch > 1, strides 1–3, 'same', 'valid' and numeric padding.
// Tolerance: |wasm − cpu| ≤ 1e-4 · (1 + |cpu|) elementwise (float32, different summation order).
// tfjs has no convolution gradients with dilation > 1 on any backend, so dilation is tested
// where tfjs supports it: the depthwise backprop kernels called directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf } from '../helpers.mjs';

const TOL = 1e-4;
await ku.initBackend('wasm');
const patches = ku.patchWasmBackend();

function randArray(rng, shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Run fn on `backend` with fresh tensors made from `inputs` ([values, shape, dtype?]); return plain arrays. */
async function run(backend, fn, inputs) {
  await tf.setBackend(backend);
  const ts = inputs.map(([v, s, d]) => tf.tensor(v, s, d ?? 'float32'));
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => fn(...ts));
  const list = Array.isArray(out) ? out : [out];
  const res = list.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
  tf.dispose(list);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  tf.dispose(ts);
  return res;
}

async function agree(label, fn, inputs) {
  const a = await run('wasm', fn, inputs);
  const b = await run('cpu', fn, inputs);
  assert.equal(a.length, b.length);
  a.forEach((r, k) => {
    assert.deepEqual(r.shape, b[k].shape, `${label}: output ${k} shape`);
    r.values.forEach((v, i) => {
      const ref = b[k].values[i];
      assert.ok(
        Math.abs(v - ref) <= TOL * (1 + Math.abs(ref)),
        `${label}: output ${k}[${i}] wasm ${v} vs cpu ${ref}`,
      );
    });
  });
  await tf.setBackend('wasm');
}

test('the patch covers transposed matMul, both conv backprops, and every kernel wasm lacked', () => {
  for (const k of ['BatchMatMul', '_FusedMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'])
    assert.ok(
      patches.some((p) => p.startsWith(k)),
      `${k} patched`,
    );
  const wasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const complexOrString = new Set([
    'Complex',
    'ComplexAbs',
    'FFT',
    'IFFT',
    'Imag',
    'Real',
    'Draw',
    'StaticRegexReplace',
    'StringNGrams',
    'StringSplit',
    'StringToHashBucketFast',
  ]);
  const missing = tf
    .getKernelsForBackend('cpu')
    .map((k) => k.kernelName)
    .filter((k) => !wasm.has(k) && !complexOrString.has(k));
  assert.deepEqual(missing, []);
  for (const k of [
    'UnsortedSegmentSum',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'Einsum',
  ])
    assert.ok(wasm.has(k), k);
});

test('matMul and fused matMul with every transpose combination, batch broadcasting, bias and activation', async () => {
  const rng = new ku.Rng(1);
  for (let c = 0; c < 10; c++) {
    const m = 1 + rng.int(9),
      k = 1 + rng.int(13),
      n = 1 + rng.int(11),
      batch = 1 + rng.int(3);
    const ta = rng.int(2) === 1,
      tb = rng.int(2) === 1;
    const aShape = [batch, ...(ta ? [k, m] : [m, k])];
    const bBatch = rng.int(2) ? batch : 1; // broadcast over the batch when 1
    const bShape = [bBatch, ...(tb ? [n, k] : [k, n])];
    const label = `matMul a${aShape} b${bShape} ta=${ta} tb=${tb}`;
    await agree(label, (a, b) => tf.matMul(a, b, ta, tb), [
      [randArray(rng, aShape), aShape],
      [randArray(rng, bShape), bShape],
    ]);
    const a2 = aShape.slice(1),
      b2 = bShape.slice(1);
    await agree(
      `fused ${label}`,
      (a, b, bias) =>
        tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' }),
      [
        [randArray(rng, a2), a2],
        [randArray(rng, b2), b2],
        [randArray(rng, [n]), [n]],
      ],
    );
    // tfjs's BatchMatMul gradient does not support broadcast batch dimensions on any backend.
    if (bBatch === batch)
      await agree(
        `grad ${label}`,
        (a, b) => tf.grads((x, y) => tf.matMul(x, y, ta, tb).square().sum())([a, b]),
        [
          [randArray(rng, aShape), aShape],
          [randArray(rng, bShape), bShape],
        ],
      );
  }
});

test('a·bᵀ both ways: b transposed first, or (b·aᵀ)ᵀ when b is the larger (batched, broadcast, with transposeA)', async () => {
  const rng = new ku.Rng(9);
  // [a shape, b shape, transposeA]: the first and third have a large b (swapped), the second a large a
  for (const [aShape, bShape, ta] of [
    [[2, 5], [40, 5], false],
    [[40, 5], [2, 5], false],
    [[3, 2, 6], [1, 30, 6], false],
    [[5, 2], [40, 5], true],
    [[1, 6, 3], [2, 25, 6], true],
  ]) {
    await agree(
      `matMul a${aShape}${ta ? 'ᵀ' : ''} · b${bShape}ᵀ`,
      (a, b) => tf.matMul(a, b, ta, true),
      [
        [randArray(rng, aShape), aShape],
        [randArray(rng, bShape), bShape],
      ],
    );
  }
});

test("sums over every axis but the last (the SIMD pass), with keepDims and negative axes, and other sums (wasm's own)", async () => {
  const rng = new ku.Rng(10);
  for (const [shape, axis, keepDims] of [
    [[128, 7], 0, false],
    [[3, 4, 5, 9], [0, 1, 2], false],
    [[3, 4, 5, 8], [2, 0, 1], true],
    [[6, 13], -2, true],
    [[2, 3, 4], [1, 2], false],
    [[5, 6], 1, false],
    [[7], 0, false],
  ]) {
    await agree(
      `sum x${shape} axis ${axis} keepDims ${keepDims}`,
      (x) => tf.sum(x, axis, keepDims),
      [[randArray(rng, shape), shape]],
    );
  }
  // and the bias gradient of a dense and a conv layer, end to end
  await agree('dense bias gradient', (x, b) => tf.grad((bb) => tf.add(x, bb).square().sum())(b), [
    [randArray(rng, [33, 6]), [33, 6]],
    [randArray(rng, [6]), [6]],
  ]);
});

test('conv2d gradients (Conv2DBackpropFilter, Conv2DBackpropInput) over random shapes, strides and paddings', async () => {
  const rng = new ku.Rng(2);
  const pads = ['same', 'valid', 1, 0];
  for (let c = 0; c < 14; c++) {
    const pad = pads[c % pads.length];
    // tfjs computes the output shape for a numeric pad from the filter height alone, so numeric
    // padding is only meaningful (on any backend) with square filters.
    const stride = 1 + rng.int(3),
      kh = 1 + rng.int(4),
      kw = typeof pad === 'number' ? kh : 1 + rng.int(4);
    const h = kh + rng.int(9),
      w = kw + rng.int(9);
    const xShape = [1 + rng.int(3), h, w, 1 + rng.int(4)];
    const fShape = [kh, kw, xShape[3], 1 + rng.int(5)];
    const label = `conv2d x${xShape} f${fShape} s${stride} pad=${pad}`;
    await agree(
      label,
      (x, f) => [
        tf.conv2d(x, f, stride, pad),
        ...tf.grads((a, b) => tf.conv2d(a, b, stride, pad).sin().sum())([x, f]),
      ],
      [
        [randArray(rng, xShape), xShape],
        [randArray(rng, fShape), fShape],
      ],
    );
  }
});

test("conv2d and conv2dTranspose gradients with 4–13 channels: col2im's four-at-a-time adds and their tail", async () => {
  const rng = new ku.Rng(8);
  for (const [cIn, cOut, stride, pad] of [
    [4, 3, 2, 'same'],
    [6, 5, 1, 'valid'],
    [8, 2, 2, 'valid'],
    [13, 4, 3, 'same'],
  ]) {
    const xShape = [2, 9, 8, cIn],
      fShape = [3, 3, cIn, cOut];
    await agree(
      `conv2d x${xShape} f${fShape} s${stride} ${pad}`,
      (x, f) => tf.grads((a, b) => tf.conv2d(a, b, stride, pad).sin().sum())([x, f]),
      [
        [randArray(rng, xShape), xShape],
        [randArray(rng, fShape), fShape],
      ],
    );
    const yShape = [2, 4, 5, cIn],
      gShape = [3, 3, cOut + 4, cIn];
    const outShape = [
      2,
      pad === 'same' ? 4 * stride : 3 * stride + 3,
      pad === 'same' ? 5 * stride : 4 * stride + 3,
      cOut + 4,
    ];
    await agree(
      `conv2dTranspose x${yShape} f${gShape} s${stride} ${pad}`,
      (x, f) => [
        tf.conv2dTranspose(x, f, outShape, stride, pad),
        ...tf.grads((a, b) => tf.conv2dTranspose(a, b, outShape, stride, pad).tanh().sum())([x, f]),
      ],
      [
        [randArray(rng, yShape), yShape],
        [randArray(rng, gShape), gShape],
      ],
    );
  }
});

test('conv2dTranspose forward and gradients (the DCGAN generator layer) over random shapes', async () => {
  const rng = new ku.Rng(3);
  for (let c = 0; c < 8; c++) {
    const stride = 1 + rng.int(2),
      k = 2 + rng.int(4),
      pad = c % 2 ? 'same' : 'valid';
    const inH = 2 + rng.int(6),
      inW = 2 + rng.int(6);
    const outH = pad === 'same' ? inH * stride : (inH - 1) * stride + k;
    const outW = pad === 'same' ? inW * stride : (inW - 1) * stride + k;
    const xShape = [1 + rng.int(3), inH, inW, 1 + rng.int(5)];
    const cOut = 1 + rng.int(4);
    const fShape = [k, k, cOut, xShape[3]];
    const outShape = [xShape[0], outH, outW, cOut];
    const label = `conv2dTranspose x${xShape} f${fShape} s${stride} ${pad}`;
    await agree(
      label,
      (x, f) => [
        tf.conv2dTranspose(x, f, outShape, stride, pad),
        ...tf.grads((a, b) => tf.conv2dTranspose(a, b, outShape, stride, pad).tanh().sum())([x, f]),
      ],
      [
        [randArray(rng, xShape), xShape],
        [randArray(rng, fShape), fShape],
      ],
    );
  }
});

test('depthwise conv2d gradients, and the depthwise backprop kernels with dilation', async () => {
  const rng = new ku.Rng(4);
  for (let c = 0; c < 6; c++) {
    const stride = 1 + rng.int(2),
      k = 1 + rng.int(3),
      pad = c % 2 ? 'same' : 'valid';
    const xShape = [1 + rng.int(2), k + 2 + rng.int(6), k + 2 + rng.int(6), 1 + rng.int(3)];
    const fShape = [k, k, xShape[3], 1 + rng.int(2)];
    await agree(
      `depthwise x${xShape} f${fShape} s${stride} ${pad}`,
      (x, f) => tf.grads((a, b) => tf.depthwiseConv2d(a, b, stride, pad).square().sum())([x, f]),
      [
        [randArray(rng, xShape), xShape],
        [randArray(rng, fShape), fShape],
      ],
    );
  }
  const xShape = [2, 9, 9, 2],
    fShape = [3, 3, 2, 2],
    dyShape = [2, 5, 5, 4];
  const attrs = { strides: [1, 1], pad: 'valid', dilations: [2, 2], dimRoundingMode: undefined };
  await agree(
    'DepthwiseConv2dNativeBackpropFilter dilation 2',
    (x, dy) =>
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x, dy },
          { ...attrs, filterShape: fShape },
        ),
    [
      [randArray(rng, xShape), xShape],
      [randArray(rng, dyShape), dyShape],
    ],
  );
  await agree(
    'DepthwiseConv2dNativeBackpropInput dilation 2',
    (dy, filter) =>
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy, filter },
          { ...attrs, inputShape: xShape },
        ),
    [
      [randArray(rng, dyShape), dyShape],
      [randArray(rng, fShape), fShape],
    ],
  );
});

test('embedding gradients (UnsortedSegmentSum) and einsum', async () => {
  const rng = new ku.Rng(5);
  const vocab = 13,
    dim = 7,
    n = 41;
  const ids = Int32Array.from({ length: n }, () => rng.int(vocab));
  await agree(
    'embedding gather gradient',
    (table, idx) => tf.grad((t) => tf.gather(t, idx).square().sum())(table),
    [
      [randArray(rng, [vocab, dim]), [vocab, dim]],
      [ids, [n], 'int32'],
    ],
  );
  await agree('unsortedSegmentSum', (x, idx) => tf.unsortedSegmentSum(x, idx, vocab), [
    [randArray(rng, [n, 3]), [n, 3]],
    [ids, [n], 'int32'],
  ]);
  await agree('einsum bij,bjk->bik', (a, b) => tf.einsum('bij,bjk->bik', a, b), [
    [randArray(rng, [2, 3, 5]), [2, 3, 5]],
    [randArray(rng, [2, 5, 4]), [2, 5, 4]],
  ]);
  await agree('einsum ij->ji', (a) => tf.einsum('ij->ji', a), [[randArray(rng, [3, 4]), [3, 4]]]);
});

test('patched kernels free their intermediate wasm buffers', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const x = tf.randomNormal([2, 9, 9, 3]);
  const f = tf.randomNormal([3, 3, 3, 4]);
  const a = tf.randomNormal([5, 7]);
  const step = () =>
    tf.tidy(() => {
      tf.grads((p, q) => tf.conv2d(p, q, 2, 'same').sum())([x, f]);
      tf.grads((p) => tf.matMul(p, p, true, false).sum())([a]);
      tf.grad((t) => tf.gather(t, tf.tensor1d([0, 2, 2], 'int32')).sum())(a);
    });
  step();
  const ids = backend.numDataIds();
  const tensors = tf.memory().numTensors;
  step();
  assert.equal(backend.numDataIds(), ids);
  assert.equal(tf.memory().numTensors, tensors);
  tf.dispose([x, f, a]);
});

// kernel-utils' GEMM (simd/gemm.wat) in BatchMatMul and _FusedMatMul, on one thread and split
// between two: the plain build equals XNNPACK bit for bit, the relaxed (FMA) build is within 1e-6
// of max|C| of it, and both agree with the cpu backend; shapes with partial tiles, batches,
// transposes, bias + relu.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers.mjs';

const CHILD = path.join(ROOT, 'tests', 'unit', 'backend', 'gemm-child.mjs');
const RELAXED_TOLERANCE = 1e-6; // of max|C|; measured worst 3.6e-7 (experiments/relaxed-gemm)
const CPU_TOLERANCE = 1e-5; // of max|C|: the cpu backend sums in another order

function products(env, { flags = [], backend = 'wasm' } = {}) {
  const r = spawnSync(process.execPath, [...flags, CHILD, backend], {
    cwd: ROOT,
    env: { ...process.env, BOOK_WASM_THREADS: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28, // the products as base64: ~5 MB
    timeout: 120000,
    killSignal: 'SIGKILL',
  });
  assert.equal(r.status, 0, r.stderr || `killed: ${r.signal}`);
  const row = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(row.numTensors, 0, 'a product left tensors behind');
  return row.results.map(
    (b64) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer),
  );
}

/** max |x − y| / max |y| over one result. */
const relDiff = (x, y) => {
  assert.equal(x.length, y.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / m;
};

test(
  'the plain GEMM equals XNNPACK bit for bit; the relaxed one is within tolerance',
  { timeout: 300000 },
  () => {
    const xnnpack = products({ BOOK_WASM_GEMM: '0' });
    const plain = products({});
    // on the threaded build the product is split by rows between two threads: the same numbers
    const plain2 = products({ BOOK_WASM_THREADS: '2' });
    const relaxed = products({}, { flags: ['--experimental-wasm-relaxed-simd'] });
    const cpu = products({}, { backend: 'cpu' });
    for (let i = 0; i < xnnpack.length; i++) {
      assert.deepEqual(plain[i], xnnpack[i], `case ${i}: plain GEMM differs from XNNPACK`);
      assert.deepEqual(plain2[i], xnnpack[i], `case ${i}: the 2-thread GEMM differs from XNNPACK`);
      const r = relDiff(relaxed[i], xnnpack[i]);
      assert.ok(r <= RELAXED_TOLERANCE, `case ${i}: relaxed GEMM off by ${r} of max|C|`);
      // and it really is another computation (FMA rounds once): not equal on the large cases
      if (i < 3) assert.notDeepEqual(relaxed[i], xnnpack[i], `case ${i}: relaxed build not used`);
      assert.ok(relDiff(plain[i], cpu[i]) <= CPU_TOLERANCE, `case ${i}: far from the cpu backend`);
    }
  },
);

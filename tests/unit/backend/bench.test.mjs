// The benchmark's workloads must keep running (a smoke test: one warm-up step and two timed
// ones each). Speed is measured by `npm run bench`, never asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers.mjs';

const BIN = path.join(ROOT, 'kernel-utils', 'bin');
const WORKLOADS = Object.keys(
  (await import('../../../kernel-utils/bin/bench-worker.mjs')).WORKLOADS,
);
// The book's reference PixelCNN (7×7 type-A conv, 5 residual 3×3 type-B convs, 32-wide head).
const PIXELCNN_PARAMS = 48929;
// The DDPM U-Net's trainable parameters as computed by bench_torch.py (`--params`) for its
// PyTorch model (when written, with a parameter-counting stand-in for torch: the machine had none;
// the last test checks it against real torch where /usr/bin/python3 has it). The tfjs model must
// have exactly as many.
const UNET_TORCH_PARAMS = 297665;

/** One smoke run of bench-worker.mjs (a warm-up step, a few timed ones): its JSON row. */
function benchRow(args, env = {}) {
  const r = spawnSync(process.execPath, [path.join(BIN, 'bench-worker.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_WARMUP: '1', BENCH_SECONDS: '0', ...env },
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stderr || String(r.error));
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

for (const workload of WORKLOADS) {
  test(
    `bench workload ${workload} trains on wasm and reports one JSON line`,
    { timeout: 180000 },
    () => {
      const row = benchRow([workload, 'wasm'], { BENCH_MIN_STEPS: '2' });
      assert.equal(row.workload, workload);
      assert.equal(row.backend, 'wasm');
      assert.ok(row.samplesPerSec > 0 && row.msPerStep > 0 && row.steps >= 2, JSON.stringify(row));
      assert.ok(Number.isInteger(row.paramCount) && row.paramCount > 0, JSON.stringify(row));
      assert.ok('threads' in row, JSON.stringify(row));
      if (workload === 'pixelcnn') assert.equal(row.paramCount, PIXELCNN_PARAMS);
      if (workload === 'diffusion-unet') assert.equal(row.paramCount, UNET_TORCH_PARAMS);
    },
  );
}

test(
  'bench-worker names its row by the label given as a third argument',
  { timeout: 180000 },
  () => {
    const row = benchRow(['mlp-autoencoder', 'wasm', 'wasm-1thread'], { BOOK_WASM_THREADS: '1' });
    assert.equal(row.backend, 'wasm-1thread');
    assert.equal(row.batch, 128);
  },
);

const hasTorch =
  spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore', timeout: 120000 })
    .status === 0;
test(
  'bench_torch.py --params: each PyTorch model has as many parameters as its tfjs twin',
  { timeout: 180000, skip: hasTorch ? false : 'torch is not importable by /usr/bin/python3' },
  () => {
    const r = spawnSync('/usr/bin/python3', [path.join(BIN, 'bench_torch.py'), '--params'], {
      encoding: 'utf8',
      timeout: 120000,
    });
    assert.equal(r.status, 0, r.stderr || String(r.error));
    const torch = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((row) => [row.workload, row.paramCount]),
    );
    assert.equal(torch['diffusion-unet'], UNET_TORCH_PARAMS);
    // The tfjs counts: each workload built (not trained) on the cpu backend, its trainable
    // variables counted as bench-worker does.
    const counter = `
      import { createRequire } from 'node:module';
      const req = createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))});
      const tf = req('@tensorflow/tfjs');
      const { WORKLOADS } = await import(${JSON.stringify(path.join(BIN, 'bench-worker.mjs'))});
      await tf.setBackend('cpu');
      const n = () => Object.values(tf.engine().registeredVariables)
        .filter((v) => v.trainable).reduce((a, v) => a + v.size, 0);
      const counts = {};
      for (const w of Object.keys(WORKLOADS)) {
        const before = n();
        WORKLOADS[w]();
        counts[w] = n() - before;
      }
      console.log(JSON.stringify(counts));`;
    const c = spawnSync(process.execPath, ['--input-type=module', '-e', counter], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120000,
    });
    assert.equal(c.status, 0, c.stderr || String(c.error));
    const tfjs = JSON.parse(c.stdout.trim().split('\n').pop());
    assert.deepEqual(Object.keys(tfjs).sort(), [...WORKLOADS].sort());
    assert.deepEqual(torch, tfjs);
  },
);

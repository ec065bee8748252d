// The benchmark's workloads must keep running (a smoke test: one warm-up step and a few timed
// ones each). Speed is measured by `npm run bench`, never asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers.mjs';

for (const workload of ['mlp-autoencoder', 'cnn-classifier', 'conv-decoder']) {
  test(`bench workload ${workload} trains on wasm and reports one JSON line`, () => {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'kernel-utils', 'bin', 'bench-worker.mjs'), workload, 'wasm'],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_WARMUP: '1', BENCH_SECONDS: '0' },
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const row = JSON.parse(r.stdout.trim().split('\n').pop());
    assert.equal(row.workload, workload);
    assert.equal(row.backend, 'wasm');
    assert.ok(row.samplesPerSec > 0 && row.msPerStep > 0 && row.steps >= 5, JSON.stringify(row));
  });
}

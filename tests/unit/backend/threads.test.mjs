// The wasm backend on two threads (kernel-utils/src/backend/threads.ts): it starts complete or
// falls back to one thread saying why, trains, lets the process exit, and gives the same losses
// for the same seed and thread count. Every child process runs under a time limit, so a hang
// fails the test that caused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, ku } from '../helpers.mjs';

const CHILD_LIMIT_MS = 60000;
const STEPS = 4;

/** One fresh process: wasm with `env`, STEPS training steps; its JSON line. */
function start(env) {
  const script = path.join(ROOT, 'kernel-utils', 'bin', 'check-wasm-threads.mjs');
  const r = spawnSync(process.execPath, [script, '--child'], {
    cwd: ROOT,
    env: { ...process.env, CHECK_WASM_STEPS: String(STEPS), ...env },
    encoding: 'utf8',
    timeout: CHILD_LIMIT_MS,
    killSignal: 'SIGKILL',
  });
  assert.notEqual(r.signal, 'SIGKILL', `the process hung (killed after ${CHILD_LIMIT_MS} ms)`);
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.trim().split('\n').pop();
  assert.ok(line, 'the process exited without printing its result');
  return JSON.parse(line);
}

test('BOOK_WASM_THREADS: auto, 1, 2; anything else is an error naming the variable', () => {
  const saved = process.env.BOOK_WASM_THREADS;
  try {
    process.env.BOOK_WASM_THREADS = '1';
    assert.equal(ku.wasmThreadsWanted().threads, 1);
    process.env.BOOK_WASM_THREADS = '2';
    assert.equal(ku.wasmThreadsWanted().threads, 2);
    // auto is one thread: two measured no faster on the 2-core machine (README)
    for (const auto of ['auto', '']) {
      process.env.BOOK_WASM_THREADS = auto;
      assert.equal(ku.wasmThreadsWanted().threads, 1);
    }
    for (const bad of ['two', '0', '1.5', '9']) {
      process.env.BOOK_WASM_THREADS = bad;
      assert.throws(
        () => ku.wasmThreadsWanted(),
        /BOOK_WASM_THREADS="[^"]*" is not a thread count/,
      );
    }
  } finally {
    if (saved === undefined) delete process.env.BOOK_WASM_THREADS;
    else process.env.BOOK_WASM_THREADS = saved;
  }
});

test(
  'two threads: the threaded build starts with both, trains, and the process exits',
  { timeout: 120000 },
  () => {
    const r = start({ BOOK_WASM_THREADS: '2' });
    assert.equal(r.build, 'threaded-simd', r.why);
    assert.equal(r.requested, 2);
    assert.equal(r.used, 2, r.why);
    assert.equal(r.losses.length, STEPS);
    assert.ok(r.losses.every(Number.isFinite) && r.losses[STEPS - 1] < r.losses[0], `${r.losses}`);
  },
);

test(
  'same seed and thread count: the same losses, bit for bit (1 and 2 threads)',
  { timeout: 240000 },
  () => {
    const runs = {};
    for (const threads of ['1', '2']) {
      const [a, b] = [start({ BOOK_WASM_THREADS: threads }), start({ BOOK_WASM_THREADS: threads })];
      assert.deepEqual(a.losses, b.losses, `${threads} thread(s): ${a.losses} vs ${b.losses}`);
      runs[threads] = a.losses;
    }
    // across thread counts only the last bits may differ (products split into other blocks)
    for (let i = 0; i < STEPS; i++)
      assert.ok(
        Math.abs(runs['1'][i] - runs['2'][i]) <= 1e-5 * Math.abs(runs['1'][i]),
        `step ${i}`,
      );
  },
);

test(
  'a threaded start that does not finish in time falls back to one thread and says why',
  { timeout: 120000 },
  () => {
    const r = start({ BOOK_WASM_THREADS: '2', BOOK_WASM_START_MS: '1' });
    assert.equal(r.build, 'simd');
    assert.equal(r.used, 1);
    assert.match(
      r.why,
      /threaded build not started \(its pool workers had not all loaded after 1 ms\)/,
    );
    assert.equal(r.losses.length, STEPS);
  },
);

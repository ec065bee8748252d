// `npm run check:wasm-threads -- [N]` (default 50): start N fresh processes one after another;
// each initializes the wasm backend with BOOK_WASM_THREADS (default 2), trains one step of a
// small conv net (CHECK_WASM_STEPS steps, for the tests) and prints one JSON line. A process
// counts as a clean start only if it exits 0 within the time limit, printed its line, and ran
// the threaded build with every thread asked for and (on 2 threads) kernel-utils' GEMM worker.
// Anything else — a hang (killed at the limit), an early exit with nothing printed, a fall back
// to one thread, an error — is listed. Exit status 1 unless all N were clean.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './jupyter.mjs';

const LIMIT_MS = 60000;

async function child() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const ku = require('kernel-utils');
  const tf = require('@tensorflow/tfjs');
  const t0 = performance.now();
  const report = await ku.initBackend('wasm');
  const initMs = performance.now() - t0;
  ku.seedEverything(0);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([32], 0, 10, 'int32', 2), 10);
  const optimizer = tf.train.adam(1e-3);
  const losses = [];
  for (let i = 0; i < Number(process.env.CHECK_WASM_STEPS ?? 1); i++) {
    const lossOf = () => tf.losses.softmaxCrossEntropy(y, model.apply(x));
    losses.push(tf.tidy(() => optimizer.minimize(lossOf, true).dataSync()[0]));
  }
  // after training: a GEMM worker that failed to start or answer is named here
  const products = ku.wasmProducts();
  console.log(
    JSON.stringify({ ...report.wasmThreads, initMs: Math.round(initMs), products, losses }),
  );
}

function parent(n) {
  const threads = Number(process.env.BOOK_WASM_THREADS ?? 2);
  const problems = [];
  const startMs = [];
  const t0 = Date.now();
  for (let i = 1; i <= n; i++) {
    const script = new URL(import.meta.url).pathname;
    const r = spawnSync(process.execPath, [...process.execArgv, script, '--child'], {
      cwd: ROOT,
      env: { ...process.env, BOOK_WASM_THREADS: String(threads) },
      encoding: 'utf8',
      timeout: LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    const line = (r.stdout ?? '').trim().split('\n').pop();
    let row = null;
    try {
      row = line ? JSON.parse(line) : null;
    } catch {
      row = null;
    }
    let problem = null;
    if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL')
      problem = `hung (killed after ${LIMIT_MS} ms)`;
    else if (r.status !== 0)
      problem = `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()}`;
    else if (!row) problem = 'exited 0 without its result (an early exit)';
    else if (threads > 1 && (row.build !== 'threaded-simd' || row.used !== threads))
      problem = `fell back: ${row.build}, ${row.why}`;
    else if (
      threads === 2 &&
      process.env.BOOK_WASM_GEMM !== '0' &&
      !/GEMM on 2 threads/.test(row.products)
    )
      problem = `the GEMM's second thread did not run: ${row.products}`;
    if (problem) problems.push(`start ${i}: ${problem}`);
    else startMs.push(row.startMs ?? row.initMs);
    process.stdout.write(problem ? 'x' : '.');
  }
  process.stdout.write('\n');
  startMs.sort((a, b) => a - b);
  const q = (p) => startMs[Math.min(startMs.length - 1, Math.floor(p * startMs.length))];
  console.log(
    `${n - problems.length}/${n} clean starts with ${threads} thread${threads === 1 ? '' : 's'} ` +
      `in ${((Date.now() - t0) / 1000).toFixed(0)} s` +
      (startMs.length
        ? `; threaded start ${startMs[0]}–${startMs[startMs.length - 1]} ms (median ${q(0.5)})`
        : ''),
  );
  for (const p of problems) console.log(`  ${p}`);
  process.exit(problems.length ? 1 : 0);
}

if (process.argv[2] === '--child') {
  child().catch((e) => {
    console.error(e?.message ?? e);
    process.exit(1);
  });
} else {
  const n = Number(process.argv[2] ?? 50);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`check-wasm-threads: "${process.argv[2]}" is not a number of starts`);
    process.exit(2);
  }
  parent(n);
}

// GEMM throughput: tfjs-backend-wasm's tf.matMul (XNNPACK) vs gemm.wat built relaxed (FMA) and plain.
//
//   node build.mjs && node --experimental-wasm-relaxed-simd bench.mjs
//
// Env: REPS (timed repetitions, default 7; the median is reported), WARMUP (default 2),
//      SIZES ("1024x1024x1024,128x784x512"; M×K×N), THREADS (1 or 2: our kernels' threads; XNNPACK
//      in Node is always 1 thread), KC, MC (cache blocks, default 256 and 64).
// Our kernels run on their own WebAssembly.Memory (shared when THREADS=2); once per run the relaxed
// build is also run on the wasm backend's own memory on tensors in place, as fused.ts would.
// Repetitions are interleaved (xnn, relaxed, plain, xnn, …) so drift on a shared box hits all alike.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire('/work/main/package.json');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const REPS = Number(process.env.REPS ?? 7);
const WARMUP = Number(process.env.WARMUP ?? 2);
const THREADS = Number(process.env.THREADS ?? 1);
const KC = Number(process.env.KC ?? 256);
const MC = Number(process.env.MC ?? 64);
const MR = Number(
  /MR=(\d+)/.exec(
    fs.readFileSync(path.join(here, process.env.BUILD_DIR ?? 'build', 'gemm.wat'), 'utf8'),
  )[1],
);
const SIZES = (
  process.env.SIZES ?? '1024x1024x1024,128x784x512,128x512x784,512x128x784,6272x288x64'
)
  .split(',')
  .map((s) => s.split('x').map(Number));

const wasmFile = (name) =>
  fs.readFileSync(
    path.join(
      here,
      process.env.BUILD_DIR ?? 'build',
      `${name}${THREADS > 1 ? '-shared' : ''}.wasm`,
    ),
  );
const relaxedOk = WebAssembly.validate(wasmFile('gemm-relaxed'));

await tf.setBackend('wasm');
await tf.ready();
const backend = tf.backend();

// ---- our own memory: A | B | C | Bp | scratch | job block ------------------------------------------
const maxBytes = Math.max(
  ...SIZES.map(([M, K, N]) => 4 * (M * K + K * N + M * N + K * Math.ceil(N / 8) * 8)),
);
const JOB = 0; // 256 bytes at the start: the job handed to the worker (Int32 words)
const SCRATCH = 256; // MR×8 floats
const BASE = 1024;
const pages = Math.ceil((BASE + maxBytes + 4096) / 65536);
const memory = new WebAssembly.Memory(
  THREADS > 1 ? { initial: pages, maximum: 65536, shared: true } : { initial: pages },
);
const kernels = {};
if (relaxedOk)
  kernels.relaxed = new WebAssembly.Instance(new WebAssembly.Module(wasmFile('gemm-relaxed')), {
    tfjs: { memory },
  }).exports;
kernels.plain = new WebAssembly.Instance(new WebAssembly.Module(wasmFile('gemm-plain')), {
  tfjs: { memory },
}).exports;

// ---- 2 threads: one worker takes the lower half of C's rows; handshake with Atomics -----------------
let worker = null;
const job = new Int32Array(memory.buffer, JOB, 64);
if (THREADS > 1) {
  const src = `
    const { workerData } = require('node:worker_threads');
    const { memory, bytes } = workerData;
    const k = {};
    for (const [n, b] of Object.entries(bytes)) k[n] = new WebAssembly.Instance(new WebAssembly.Module(b), { tfjs: { memory } }).exports;
    const job = new Int32Array(memory.buffer, ${JOB}, 64);
    const names = Object.keys(bytes);
    let seq = 0;
    for (;;) {
      Atomics.wait(job, 0, seq);
      seq = Atomics.load(job, 0);
      if (seq < 0) break;
      const [v, A, Bp, C, M, N, K, i0, i1, kc, mc, scratch] = job.subarray(2, 14);
      k[names[v]].gemmPacked(A, Bp, C, M, N, K, i0, i1, kc, mc, scratch);
      Atomics.store(job, 1, seq);
      Atomics.notify(job, 1);
    }`;
  const bytes = {};
  if (relaxedOk) bytes.relaxed = wasmFile('gemm-relaxed');
  bytes.plain = wasmFile('gemm-plain');
  worker = new Worker(src, { eval: true, workerData: { memory, bytes } });
  await new Promise((r) => setTimeout(r, 300)); // let it compile and park
}
const workerNames = relaxedOk ? ['relaxed', 'plain'] : ['plain'];

function runOurs(name, A, B, C, Bp, M, N, K) {
  const k = kernels[name];
  if (THREADS === 1) {
    k.gemm(A, B, C, M, N, K, Bp, KC, MC, SCRATCH);
    return;
  }
  k.packB(B, Bp, K, N);
  const split = Math.min(M, Math.ceil(M / 2 / MR) * MR);
  job.set([workerNames.indexOf(name), A, Bp, C, M, N, K, split, M, KC, MC, SCRATCH + 256], 2);
  const seq = job[0] + 1;
  Atomics.store(job, 0, seq);
  Atomics.notify(job, 0);
  k.gemmPacked(A, Bp, C, M, N, K, 0, split, KC, MC, SCRATCH);
  while (Atomics.load(job, 1) !== seq) Atomics.wait(job, 1, seq - 1);
}

// ---- helpers ---------------------------------------------------------------------------------------
function rand(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function relDiff(x, ref) {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(x[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  return d / m;
}
// float64 reference for a few rows of C: the error of each float32 product against exact-ish values
function f64Rows(a, b, M, N, K, rows) {
  const out = new Map();
  for (const i of rows) {
    const r = new Float64Array(N);
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k];
      for (let j = 0; j < N; j++) r[j] += aik * b[k * N + j];
    }
    out.set(i, r);
  }
  return out;
}
function errVs64(c, ref64, N) {
  let d = 0;
  let m = 0;
  for (const [i, r] of ref64) {
    for (let j = 0; j < N; j++) {
      d = Math.max(d, Math.abs(c[i * N + j] - r[j]));
      m = Math.max(m, Math.abs(r[j]));
    }
  }
  return d / m;
}

// ---- once: the relaxed (or plain) build on the backend's own memory, on tensors in place -----------
{
  const [M, K, N] = [128, 784, 512];
  const bmem = backend.wasm.asm.memory;
  const name = relaxedOk ? 'gemm-relaxed' : 'gemm-plain';
  const k = new WebAssembly.Instance(
    new WebAssembly.Module(
      fs.readFileSync(path.join(here, process.env.BUILD_DIR ?? 'build', `${name}.wasm`)),
    ),
    { tfjs: { memory: bmem } },
  ).exports;
  const a = tf.tensor2d(rand(M * K, 1), [M, K]);
  const b = tf.tensor2d(rand(K * N, 2), [K, N]);
  const c = tf.zeros([M, N]);
  const ref = tf.matMul(a, b).dataSync();
  const off = (t) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const bp = backend.wasm._malloc(4 * K * Math.ceil(N / 8) * 8 + 4 * MR * 8);
  k.gemm(off(a), off(b), off(c), M, N, K, bp, KC, MC, bp + 4 * K * Math.ceil(N / 8) * 8);
  backend.wasm._free(bp);
  console.log(
    `in place on the wasm backend's memory (${name}, ${M}x${K}·${K}x${N}): max|diff|/max|C| vs tf.matMul = ${relDiff(c.dataSync(), ref).toExponential(2)}`,
  );
  tf.dispose([a, b, c]);
}

console.log(
  `node ${process.version}, ${os.cpus()[0].model}, relaxed SIMD ${relaxedOk ? 'on' : 'OFF (run with --experimental-wasm-relaxed-simd)'}, ` +
    `our threads ${THREADS}, XNNPACK threads 1, MR=${MR} NR=8 KC=${KC} MC=${MC}, median of ${REPS} after ${WARMUP} warm-up`,
);
console.log(
  'GFLOPS: median (best) of the repetitions; ×: median over repetitions of the paired speed ratio vs XNNPACK (same B) in that repetition',
);
console.log(
  'size (MxK·KxN)      | XNNPACK       XNN fresh B | relaxed       ×     | plain         ×     | max|Δ|/max|C| vs tf: relaxed  plain | vs f64: xnn  relaxed  plain',
);

const results = [];
for (const [M, K, N] of SIZES) {
  const flop = 2 * M * N * K;
  const a32 = rand(M * K, 11);
  const b32 = rand(K * N, 12);
  const a = tf.tensor2d(a32, [M, K]);
  const b = tf.tensor2d(b32, [K, N]);
  const ref = tf.matMul(a, b).dataSync();
  const A = BASE;
  const B = A + 4 * M * K;
  const C = B + 4 * K * N;
  const Bp = C + 4 * M * N;
  const f32 = new Float32Array(memory.buffer);
  f32.set(a32, A / 4);
  f32.set(b32, B / 4);
  const names = Object.keys(kernels);
  const times = { xnn: [], xnnFresh: [], relaxed: [], plain: [] };
  const outs = {};
  for (let rep = 0; rep < WARMUP + REPS; rep++) {
    // XNNPACK, same B tensor every time (tfjs-wasm may keep XNNPACK's packed B for a known tensor)
    let t0 = performance.now();
    let c = tf.matMul(a, b);
    let t = performance.now() - t0;
    c.dispose();
    if (rep >= WARMUP) times.xnn.push(t);
    // XNNPACK on a fresh copy of B (what training sees: a weight changes every step)
    const bFresh = tf.tensor2d(b32, [K, N]);
    t0 = performance.now();
    c = tf.matMul(a, bFresh);
    t = performance.now() - t0;
    c.dispose();
    bFresh.dispose();
    if (rep >= WARMUP) times.xnnFresh.push(t);
    for (const name of names) {
      f32.fill(NaN, C / 4, C / 4 + M * N);
      t0 = performance.now();
      runOurs(name, A, B, C, Bp, M, N, K);
      t = performance.now() - t0;
      if (rep >= WARMUP) times[name].push(t);
      if (rep === WARMUP + REPS - 1) outs[name] = new Float32Array(memory.buffer, C, M * N).slice();
    }
  }
  const g = (ts) => (ts.length ? flop / (median(ts) * 1e-3) / 1e9 : NaN);
  const best = (ts) => (ts.length ? flop / (Math.min(...ts) * 1e-3) / 1e9 : NaN);
  const ratio = (ts) => (ts.length ? median(ts.map((t, i) => times.xnn[i] / t)) : NaN);
  const rows = [...new Set([0, 1, M >> 1, M - 1])].filter((i) => i < M);
  const r64 = f64Rows(a32, b32, M, N, K, rows);
  const row = {
    size: `${M}x${K}·${K}x${N}`,
    xnn: g(times.xnn),
    xnnBest: best(times.xnn),
    xnnFresh: g(times.xnnFresh),
    relaxed: g(times.relaxed),
    relaxedBest: best(times.relaxed),
    relaxedRatio: ratio(times.relaxed),
    plain: g(times.plain),
    plainBest: best(times.plain),
    plainRatio: ratio(times.plain),
    diffRelaxed: outs.relaxed ? relDiff(outs.relaxed, ref) : NaN,
    diffPlain: relDiff(outs.plain, ref),
    e64xnn: errVs64(ref, r64, N),
    e64relaxed: outs.relaxed ? errVs64(outs.relaxed, r64, N) : NaN,
    e64plain: errVs64(outs.plain, r64, N),
  };
  results.push(row);
  const f = (x) => x.toFixed(1).padStart(7);
  const x = (v) => v.toExponential(1).padStart(8);
  const fb = (m, b) => `${m.toFixed(1).padStart(5)} (${b.toFixed(1).padStart(4)})`;
  const r = (v) => `${v.toFixed(2)}×`.padStart(6);
  console.log(
    `${row.size.padEnd(19)} | ${fb(row.xnn, row.xnnBest)} ${f(row.xnnFresh)}    | ` +
      `${fb(row.relaxed, row.relaxedBest)} ${r(row.relaxedRatio)} | ${fb(row.plain, row.plainBest)} ${r(row.plainRatio)} |` +
      `                    ${x(row.diffRelaxed)} ${x(row.diffPlain)} |    ${x(row.e64xnn)} ${x(row.e64relaxed)} ${x(row.e64plain)}`,
  );
  tf.dispose([a, b]);
}
if (process.env.JSON_OUT)
  fs.writeFileSync(process.env.JSON_OUT, JSON.stringify({ THREADS, KC, MC, MR, results }, null, 1));
if (worker) {
  Atomics.store(job, 0, -1);
  Atomics.notify(job, 0);
  await worker.terminate();
}

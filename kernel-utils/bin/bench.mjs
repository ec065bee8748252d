// `npm run bench`: the training workloads of the book's speed bars (mlp-autoencoder,
// cnn-classifier, conv-decoder) and the book's two heaviest models (pixelcnn, diffusion-unet) on
// every backend available here (each in its own process), plus PyTorch CPU on the same workloads
// when torch is installed, all in one run. Prints one JSON line per (workload, backend) and writes
// them to build/bench.json. A benchmark, not a test: the machine is shared and noisy.
// wasm runs four ways: wasm-1thread and wasm-2threads (the book's patched wasm with
// BOOK_WASM_THREADS=1 / 2; one thread computes products with kernel-utils' GEMM, two with
// XNNPACK's pool), wasm-1thread-xnnpack (one thread, XNNPACK's products: BOOK_WASM_GEMM=0) and
// wasm-as-shipped (BOOK_WASM_PATCH=0, one thread); a row's `backend` names the variant. Workers
// run with the book kernel's node flags (relaxed SIMD where this node accepts the flag). Options: `npm run bench -- mlp-autoencoder` selects workloads; BENCH_SECONDS
// (default 3) sets the timed duration; BENCH_BACKENDS=wasm-2threads,cpu selects backends (plain
// `wasm` runs with the environment as it is; by default the cpu backend runs only the MLP
// workload); BENCH_TORCH_THREADS (default 1,2) sets PyTorch's thread counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kernelNodeFlags, ROOT } from './jupyter.mjs';

// the workloads bench-worker.mjs defines, in its order
const WORKLOADS = Object.keys((await import('./bench-worker.mjs')).WORKLOADS);
// The wasm variants: the backend bench-worker runs and the environment it runs with.
const VARIANTS = {
  'wasm-1thread': { backend: 'wasm', env: { BOOK_WASM_THREADS: '1' } },
  'wasm-1thread-xnnpack': { backend: 'wasm', env: { BOOK_WASM_THREADS: '1', BOOK_WASM_GEMM: '0' } },
  'wasm-2threads': { backend: 'wasm', env: { BOOK_WASM_THREADS: '2' } },
  'wasm-as-shipped': { backend: 'wasm', env: { BOOK_WASM_PATCH: '0', BOOK_WASM_THREADS: '1' } },
};
const BACKENDS = (
  process.env.BENCH_BACKENDS ??
  'node-gpu,webgpu,node,wasm-1thread,wasm-1thread-xnnpack,wasm-2threads,wasm-as-shipped,cpu'
).split(',');
// the workers run with the book kernel's node flags (relaxed SIMD where this node accepts it)
const NODE_FLAGS = kernelNodeFlags();
const selected = process.argv.slice(2).length ? process.argv.slice(2) : WORKLOADS;
const here = path.dirname(new URL(import.meta.url).pathname);

const rows = [];
const skipped = new Map();
for (const workload of selected) {
  if (!WORKLOADS.includes(workload)) {
    console.error(`bench: unknown workload ${workload} (${WORKLOADS.join(', ')})`);
    process.exit(2);
  }
  for (const backend of BACKENDS) {
    if (skipped.has(backend)) continue;
    // The pure-JS cpu backend needs 20–60 s per convolutional step: measured only on request.
    if (backend === 'cpu' && workload !== 'mlp-autoencoder' && !process.env.BENCH_BACKENDS)
      continue;
    const variant = VARIANTS[backend] ?? { backend, env: {} };
    const env = { ...process.env, ...variant.env };
    if (backend === 'cpu' && !process.env.BENCH_SECONDS) env.BENCH_SECONDS = '1';
    const r = spawnSync(
      process.execPath,
      [...NODE_FLAGS, path.join(here, 'bench-worker.mjs'), workload, variant.backend, backend],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    const line = r.stdout.trim().split('\n').pop();
    if (r.status === 0 && line) {
      const row = JSON.parse(line);
      rows.push(row);
      console.log(
        JSON.stringify({
          workload: row.workload,
          backend: row.backend,
          samplesPerSec: row.samplesPerSec,
          msPerStep: row.msPerStep,
          ...(row.software ? { software: true } : {}),
        }),
      );
    } else {
      const why = (r.stderr || '').trim().split('\n').pop();
      if (/cannot be used here/.test(r.stderr)) {
        skipped.set(backend, why);
        console.error(
          `bench: ${backend} is not available here (${
            r.stderr
              .split('\n')
              .find((l) => l.includes(`${variant.backend}:`))
              ?.trim() ?? why
          })`,
        );
      } else {
        rows.push({ workload, backend, error: why });
        console.log(JSON.stringify({ workload, backend, error: why }));
      }
    }
  }
}

const python = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
if (python && process.env.BENCH_TORCH !== '0') {
  const r = spawnSync(python, [path.join(here, 'bench_torch.py'), ...selected], {
    encoding: 'utf8',
    env: { ...process.env },
  });
  for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
    const row = JSON.parse(line);
    rows.push(row);
    console.log(
      JSON.stringify({
        workload: row.workload,
        backend: row.backend,
        samplesPerSec: row.samplesPerSec,
        msPerStep: row.msPerStep,
      }),
    );
  }
  if (r.status !== 0)
    console.error(`bench: PyTorch run failed: ${r.stderr.trim().split('\n').pop()}`);
} else {
  console.error(
    'bench: PyTorch is not installed (Debian: apt-get install python3-torch); no side-by-side reference in this run',
  );
}

const out = path.join(ROOT, 'build', 'bench.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 1),
);

// The reference is PyTorch's faster thread setting in this run.
const torchRow = (w) =>
  rows
    .filter((r) => r.workload === w && r.backend.startsWith('pytorch'))
    .sort((a, b) => b.samplesPerSec - a.samplesPerSec)[0];
console.error("\nsamples/s (ratio to PyTorch CPU's faster thread setting in this run):");
for (const w of selected) {
  const ref = torchRow(w);
  const cells = rows
    .filter((r) => r.workload === w && !r.error)
    .map(
      (r) =>
        `${r.backend}${r.software ? ' (software adapter)' : ''} ${r.samplesPerSec}${ref && r !== ref ? ` (${(r.samplesPerSec / ref.samplesPerSec).toFixed(2)}×)` : ''}`,
    );
  console.error(`  ${w.padEnd(16)} ${cells.join(' · ')}`);
  const at = (b) => rows.find((r) => r.workload === w && r.backend === b && !r.error);
  const [one, two] = [at('wasm-1thread'), at('wasm-2threads')];
  if (one && two)
    console.error(
      `  ${''.padEnd(16)} wasm 2 threads / 1 thread: ${(two.samplesPerSec / one.samplesPerSec).toFixed(2)}×`,
    );
}
console.error(`wrote ${path.relative(process.cwd(), out)}`);

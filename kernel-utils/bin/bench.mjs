// `npm run bench`: the three training workloads of the book's speed bars on every backend
// available here (each in its own process), plus PyTorch CPU on the same workloads when
// torch is installed, all in one run. Prints one JSON line per (workload, backend) and
// writes them to build/bench.json. A benchmark, not a test: the machine is shared and noisy.
// Options: `npm run bench -- mlp-autoencoder` selects workloads; BENCH_SECONDS (default 3)
// sets the timed duration; BENCH_BACKENDS=wasm,cpu selects backends (by default the cpu backend
// runs only the MLP workload); BENCH_TORCH_THREADS (default 1,2) sets PyTorch's thread counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './jupyter.mjs';

const WORKLOADS = ['mlp-autoencoder', 'cnn-classifier', 'conv-decoder'];
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'node-gpu,node,wasm,wasm-as-shipped,cpu').split(
  ',',
);
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
    const env = {
      ...process.env,
      ...(backend === 'wasm-as-shipped' ? { BOOK_WASM_PATCH: '0' } : {}),
    };
    if (backend === 'cpu' && !process.env.BENCH_SECONDS) env.BENCH_SECONDS = '1';
    const r = spawnSync(
      process.execPath,
      [path.join(here, 'bench-worker.mjs'), workload, backend],
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
              .find((l) => l.includes(`${backend}:`))
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
        `${r.backend} ${r.samplesPerSec}${ref && r !== ref ? ` (${(r.samplesPerSec / ref.samplesPerSec).toFixed(2)}×)` : ''}`,
    );
  console.error(`  ${w.padEnd(16)} ${cells.join(' · ')}`);
}
console.error(`wrote ${path.relative(process.cwd(), out)}`);

/**
 * Backend selection. kernel-utils picks the fastest TensorFlow.js backend that really works
 * here, in this order, and says why each better one was not used:
 *   node-gpu — @tensorflow/tfjs-node-gpu, only when its binding loads AND TensorFlow uses a GPU
 *   webgpu   — @tensorflow/tfjs-backend-webgpu on Dawn (npm `webgpu`), only on a hardware adapter
 *              (a software one — lavapipe, SwiftShader — only when forced; webgpu.ts)
 *   node     — native libtensorflow on the CPU (tfjs-node, or tfjs-node-gpu running without a GPU)
 *   wasm     — @tensorflow/tfjs-backend-wasm (SIMD; one thread unless BOOK_WASM_THREADS, threads.ts)
 *   cpu      — the pure-JavaScript reference backend (slow; last resort)
 * BOOK_BACKEND=node-gpu|webgpu|node|wasm|cpu forces one; if it cannot load, that is an error.
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { installWasmThreads, WasmThreads, wasmThreadsReport } from './threads';
import { patchWasmBackend, wasmProducts } from './wasm';
import { describeAdapter, probeWebGpu, startWebGpuBackend, WebGpuAdapter } from './webgpu';

export type BackendName = 'node-gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];

export interface BackendAttempt {
  backend: BackendName;
  outcome: 'chosen' | 'unavailable' | 'not tried';
  why: string;
}

export interface BackendReport {
  /** The backend the book runs on. */
  name: BackendName;
  /** tfjs's own name for it: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** The npm package that provides it. */
  providedBy: string;
  /** True only when TensorFlow reports it is using a GPU device. */
  gpu: boolean;
  /** Whether BOOK_BACKEND forced the choice. */
  forced: boolean;
  attempts: BackendAttempt[];
  /** For wasm: the build and thread count it runs on, and why. */
  wasmThreads?: WasmThreads;
  /** For wasm: what computes its matrix products. */
  wasmProducts?: string;
  /** For webgpu: the adapter it runs on. */
  webgpuAdapter?: WebGpuAdapter;
}

let report: BackendReport | null = null;

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].slice(0, 200);
}

function hasNvidiaDevice(): boolean {
  return fs.existsSync('/dev/nvidia0') || fs.existsSync('/proc/driver/nvidia/version');
}

/**
 * The package name of a module resolved by `id`, or null when it is not installed. Used to tell a
 * real `@tensorflow/tfjs-node` from the pure-JS alias that danfojs-node is given at install.
 */
function installedPackageName(id: string): string | null {
  try {
    const pkgJson = require.resolve(`${id}/package.json`);
    return JSON.parse(fs.readFileSync(pkgJson, 'utf8')).name ?? null;
  } catch {
    return null;
  }
}

/** Load a native tfjs-node package and switch tfjs to its 'tensorflow' backend. */
async function loadNative(id: string): Promise<void> {
  require(id);
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${id} loaded but the 'tensorflow' backend did not initialize`);
}

function usingGpu(): boolean {
  const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  return b.isUsingGpuDevice === true;
}

/** Native CPU candidates: the real tfjs-node (under either name), then tfjs-node-gpu without a GPU. */
function nativeCpuPackages(): string[] {
  const ids: string[] = [];
  if (installedPackageName('tfjs-node-native') === '@tensorflow/tfjs-node')
    ids.push('tfjs-node-native');
  if (installedPackageName('@tensorflow/tfjs-node') === '@tensorflow/tfjs-node')
    ids.push('@tensorflow/tfjs-node');
  if (installedPackageName('@tensorflow/tfjs-node-gpu') === '@tensorflow/tfjs-node-gpu')
    ids.push('@tensorflow/tfjs-node-gpu');
  return ids;
}

async function tryBackend(
  name: BackendName,
  attempts: BackendAttempt[],
  forced: boolean,
): Promise<{ providedBy: string; gpu: boolean; adapter?: WebGpuAdapter } | null> {
  const fail = (why: string) => {
    attempts.push({ backend: name, outcome: 'unavailable', why });
    return null;
  };
  switch (name) {
    case 'node-gpu': {
      if (installedPackageName('@tensorflow/tfjs-node-gpu') !== '@tensorflow/tfjs-node-gpu') {
        return fail(
          '@tensorflow/tfjs-node-gpu is not installed (its install script downloads libtensorflow, which failed or was not allowed here)',
        );
      }
      if (!hasNvidiaDevice()) return fail('no NVIDIA GPU on this machine (/dev/nvidia0 missing)');
      try {
        await loadNative('@tensorflow/tfjs-node-gpu');
      } catch (e) {
        return fail(`@tensorflow/tfjs-node-gpu did not load: ${firstLine(e)}`);
      }
      if (!usingGpu()) {
        // The binding works; it only lacks CUDA 11.2 + cuDNN 8.1. It still runs libtensorflow on the CPU.
        return fail(
          'tfjs-node-gpu loaded, but TensorFlow uses no GPU device (it needs CUDA 11.2 and cuDNN 8.1); its CPU kernels remain usable as "node"',
        );
      }
      return { providedBy: '@tensorflow/tfjs-node-gpu', gpu: true };
    }
    case 'webgpu': {
      const probe = probeWebGpu();
      if ('why' in probe) return fail(probe.why);
      const adapter = probe.adapter;
      if (adapter.software && !forced)
        return fail(
          `only a software adapter, ${describeAdapter(adapter)}: a CPU in disguise, used only ` +
            'when forced (BOOK_BACKEND=webgpu)',
        );
      try {
        await startWebGpuBackend();
      } catch (e) {
        return fail(`on ${describeAdapter(adapter)}: ${firstLine(e)}`);
      }
      return {
        providedBy: `@tensorflow/tfjs-backend-webgpu on ${describeAdapter(adapter)}`,
        gpu: !adapter.software,
        adapter,
      };
    }
    case 'node': {
      // A native binding already loaded (tfjs-node-gpu without a GPU) registered 'tensorflow'.
      if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) {
        return { providedBy: '@tensorflow/tfjs-node-gpu (CPU)', gpu: usingGpu() };
      }
      const ids = nativeCpuPackages();
      if (ids.length === 0) {
        return fail(
          'no native tfjs-node is installed (its install script downloads libtensorflow, which failed or was not allowed here)',
        );
      }
      const errors: string[] = [];
      for (const id of ids) {
        try {
          await loadNative(id);
          return {
            providedBy: id === 'tfjs-node-native' ? '@tensorflow/tfjs-node' : id,
            gpu: usingGpu(),
          };
        } catch (e) {
          errors.push(`${id}: ${firstLine(e)}`);
        }
      }
      return fail(`native binding did not load (${errors.join('; ')})`);
    }
    case 'wasm': {
      try {
        require('@tensorflow/tfjs-backend-wasm');
        patchWasmBackend(); // trainable convolutions/embeddings, fast transposed matMul
        installWasmThreads(); // the threaded build when more than one thread is wanted
        if (!(await tf.setBackend('wasm'))) return fail('the wasm backend did not initialize');
      } catch (e) {
        return fail(`@tensorflow/tfjs-backend-wasm did not load: ${firstLine(e)}`);
      }
      return { providedBy: '@tensorflow/tfjs-backend-wasm', gpu: false };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) return fail('the cpu backend did not initialize');
      return { providedBy: '@tensorflow/tfjs-backend-cpu', gpu: false };
    }
  }
}

/** The backend forced by BOOK_BACKEND, or null. An unknown name is an error. */
export function forcedBackend(): BackendName | null {
  const raw = (process.env.BOOK_BACKEND ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'auto') return null;
  if ((BACKENDS as readonly string[]).includes(raw)) return raw as BackendName;
  throw new Error(
    `BOOK_BACKEND="${process.env.BOOK_BACKEND}" is not a backend: use one of ${BACKENDS.join(', ')} (or auto).`,
  );
}

/**
 * Choose and initialize the backend (once per process; later calls return the same report).
 * `prefer` overrides BOOK_BACKEND, for tests and benchmarks.
 */
export async function initBackend(prefer?: BackendName): Promise<BackendReport> {
  const forced = prefer ?? forcedBackend();
  if (report && (!forced || forced === report.name)) {
    if (tf.getBackend() !== report.tfBackend) await tf.setBackend(report.tfBackend);
    return report;
  }
  const attempts: BackendAttempt[] = [];
  const order = forced ? [forced] : BACKENDS;
  for (const name of order) {
    const got = await tryBackend(name, attempts, !!forced);
    if (got) {
      attempts.push({
        backend: name,
        outcome: 'chosen',
        why: forced ? 'forced by BOOK_BACKEND' : 'fastest backend that works here',
      });
      for (const rest of BACKENDS.slice(BACKENDS.indexOf(name) + 1)) {
        if (!forced)
          attempts.push({ backend: rest, outcome: 'not tried', why: `slower than ${name}` });
      }
      await tf.ready();
      report = {
        name,
        tfBackend: tf.getBackend(),
        providedBy: got.providedBy,
        gpu: got.gpu,
        forced: !!forced,
        attempts,
        ...(name === 'wasm'
          ? { wasmThreads: wasmThreadsReport() ?? undefined, wasmProducts: wasmProducts() }
          : {}),
        ...(got.adapter ? { webgpuAdapter: got.adapter } : {}),
      };
      return report;
    }
  }
  const lines = attempts.map((a) => `  ${a.backend}: ${a.why}`).join('\n');
  throw new Error(
    forced
      ? `BOOK_BACKEND=${forced} cannot be used here:\n${lines}`
      : `No TensorFlow.js backend could be initialized:\n${lines}`,
  );
}

/** A plain-text account of the backend choice, one line per candidate. */
export function describeBackend(r: BackendReport): string {
  const head = `backend: ${r.name} (tfjs '${r.tfBackend}' from ${r.providedBy}${r.gpu ? ', on GPU' : ''})`;
  const rows = r.attempts.map(
    (a) =>
      `  ${a.outcome === 'chosen' ? '✔' : a.outcome === 'not tried' ? '·' : '✘'} ${a.backend.padEnd(8)} ${a.why}`,
  );
  const t = r.wasmThreads;
  const threads = t
    ? [
        `  wasm build: ${t.build}, ${t.why}${t.startMs !== undefined ? `, started in ${t.startMs} ms` : ''}`,
      ]
    : [];
  const products = r.wasmProducts ? [`  matrix products: ${r.wasmProducts}`] : [];
  return [head, ...rows, ...threads, ...products, ...nvidiaNote(r)].join('\n');
}

/** Where an NVIDIA GPU is present but tfjs-node-gpu does not use it: what it needs, what runs. */
function nvidiaNote(r: BackendReport): string[] {
  if (!hasNvidiaDevice() || r.name === 'node-gpu') return [];
  return [
    '  NVIDIA GPU present: tfjs-node-gpu 4.22 runs on it only with CUDA 11.2 and cuDNN 8.1 ' +
      '(libtensorflow 2.9.1); ' +
      (r.name === 'webgpu' && r.gpu
        ? "WebGPU runs on it instead, through the driver's Vulkan ICD"
        : "WebGPU can use it instead through the driver's Vulkan ICD (README, Backends)"),
  ];
}

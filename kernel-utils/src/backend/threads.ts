/**
 * Two threads in one kernel: tfjs-backend-wasm's threaded-SIMD build (XNNPACK on a pthreadpool
 * of Web Workers), which tfjs never uses in Node (its WASM_HAS_MULTITHREAD_SUPPORT is false
 * there, tfjs issue 3830), started so that it either comes up complete or not at all.
 *
 * What it takes in Node, all done here:
 *  - the pthread worker bootstrap, which tfjs hands over as a Blob URL that worker_threads cannot
 *    load, is a file (`wasm-threads-worker.js`, written next to this module by `npm run build`);
 *  - the C++ side sizes its pool as min(requested, logical cores / 2) — it assumes two hardware
 *    threads per core — and reads the core count once, in a static initializer: os.cpus() reports
 *    2 × the requested threads for exactly that synchronous call (Module.preRun to
 *    onRuntimeInitialized), so the pool has the threads asked for;
 *  - Emscripten resolves the module only after every one of its 8 pool workers has posted
 *    'loaded' (a run dependency), so the pool is created on loaded workers only. A start that
 *    does not finish within BOOK_WASM_START_MS (default 20 s) — a worker that never loads — or
 *    that aborts is abandoned: its workers are terminated and the single-threaded SIMD build is
 *    used instead, with the reason in the backend report. A timer is held while waiting, so the
 *    process cannot exit with the start half-done (Emscripten unrefs its workers as they load);
 *  - once the pool runs, its workers are unref'd: idle pool threads do not keep a script alive.
 *
 * BOOK_WASM_THREADS=1|2|auto. auto is one thread: on the 2-core machine two measured no faster
 * and often slower (README, "Speed"), the threaded build's other kernels being slower and
 * XNNPACK's pool spinning on the core the GEMM's worker wants. BOOK_WASM_THREADS=2 asks for
 * two; the book's parallel runner sets 1 for a kernel that shares the cores.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

export interface WasmThreads {
  /** Threads asked for (BOOK_WASM_THREADS, or auto). */
  requested: number;
  /** Threads XNNPACK's pool really has (tfjs' getThreadsCount()). */
  used: number;
  /** The wasm binary running: tfjs' threaded-SIMD build or its single-threaded SIMD build. */
  build: 'threaded-simd' | 'simd';
  /** Why this many threads, in a few words. */
  why: string;
  /** Milliseconds the threaded start took (absent for the single-threaded build). */
  startMs?: number;
}

const DEFAULT_START_MS = 20000;
// The os module as an object whose cpus() can be replaced for one synchronous call (a namespace
// import is read-only); Emscripten's factory reads the same module through require('os').
const os = require('os') as { cpus: () => unknown[] };

/** BOOK_WASM_THREADS read and checked: the thread count wanted and why. */
export function wasmThreadsWanted(): { threads: number; why: string } {
  const raw = (process.env.BOOK_WASM_THREADS ?? '').trim().toLowerCase();
  const cores = os.cpus().length;
  if (raw === '' || raw === 'auto')
    return { threads: 1, why: `auto: 1 thread of ${cores} cores (2 measured no faster)` };
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 8)
    throw new Error(
      `BOOK_WASM_THREADS="${process.env.BOOK_WASM_THREADS}" is not a thread count: use 1, 2 (up to 8) or auto.`,
    );
  return { threads: n, why: 'BOOK_WASM_THREADS' };
}

function startTimeoutMs(): number {
  const raw = process.env.BOOK_WASM_START_MS;
  if (raw === undefined || raw === '') return DEFAULT_START_MS;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`BOOK_WASM_START_MS="${raw}" is not a positive number of ms.`);
  return n;
}

type NodeWorker = { ref(): void; unref(): void; terminate(): Promise<number> | void };
interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[] };
  tfjs?: Record<string, unknown>;
  [key: string]: unknown;
}
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
interface WasmPackage {
  BackendWasm: new (module: EmscriptenModule) => tf.KernelBackend;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

let state: WasmThreads | null = null;
let installed = false;

/** What the wasm backend runs on, once it has started (null before). */
export function wasmThreadsReport(): WasmThreads | null {
  return state;
}

const WORKER_FILE = path.join(__dirname, 'wasm-threads-worker.js');

/** The tfjs bridge tfjs-backend-wasm's own init() attaches to the module. */
function attachTfjsBridge(m: EmscriptenModule): void {
  m.tfjs = {
    init: m.cwrap('init', null, []),
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: m.cwrap('dispose_data', null, ['number']),
    dispose: m.cwrap('dispose', null, []),
  };
}

/** Start the threaded-SIMD module with every pool worker loaded, or throw within `timeoutMs`. */
async function startThreadedModule(threads: number, timeoutMs: number): Promise<EmscriptenModule> {
  if (!fs.existsSync(WORKER_FILE))
    throw new Error(`${WORKER_FILE} is missing (run \`npm run build\`)`);
  const out = path.join(
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'wasm-out',
  );
  const script = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(script) as Factory;
  const realCpus = os.cpus;
  const restoreCpus = () => {
    os.cpus = realCpus;
  };
  let timer: NodeJS.Timeout | undefined;
  const config: Record<string, unknown> = {
    locateFile: (p: string) => (p.endsWith('.worker.js') ? WORKER_FILE : path.join(out, p)),
    mainScriptUrlOrBlob: script,
    preRun: [
      () => {
        const one = realCpus()[0];
        os.cpus = () => Array.from({ length: 2 * threads }, () => one);
      },
    ],
    onRuntimeInitialized: restoreCpus,
  };
  const abandon = () => {
    restoreCpus();
    const pool = (config as EmscriptenModule).PThread;
    for (const w of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])])
      void w.terminate();
  };
  try {
    return await Promise.race([
      factory(config),
      new Promise<never>((_, reject) => {
        config.onAbort = (what: unknown) =>
          reject(new Error(`the module aborted: ${String(what)}`));
        timer = setTimeout(
          () => reject(new Error(`its pool workers had not all loaded after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (e) {
    abandon();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Replace the 'wasm' backend's factory by one that starts the threaded build when more than one
 * thread is wanted, and tfjs' own (single-threaded SIMD) factory otherwise or when that fails.
 * Call before tf.setBackend('wasm'); a no-op after the first call.
 */
export function installWasmThreads(): void {
  if (installed) return;
  const wanted = wasmThreadsWanted();
  const timeoutMs = startTimeoutMs();
  const pkg = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  const original = tf.findBackendFactory('wasm');
  if (!original) throw new Error('@tensorflow/tfjs-backend-wasm registered no wasm backend');
  const single = async (why: string) => {
    pkg.setThreadsCount(1);
    const backend = await original();
    state = { requested: wanted.threads, used: pkg.getThreadsCount(), build: 'simd', why };
    return backend;
  };
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      if (wanted.threads === 1) return single(`1 thread (${wanted.why})`);
      const t0 = Date.now();
      let module: EmscriptenModule;
      try {
        module = await startThreadedModule(wanted.threads, timeoutMs);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        return single(`threaded build not started (${msg}): 1 thread`);
      }
      attachTfjsBridge(module);
      pkg.setThreadsCount(wanted.threads);
      const backend = new pkg.BackendWasm(module);
      for (const w of module.PThread?.runningWorkers ?? []) w.unref();
      const used = pkg.getThreadsCount();
      state = {
        requested: wanted.threads,
        used,
        build: 'threaded-simd',
        why:
          used === wanted.threads
            ? `${used} threads (${wanted.why})`
            : `${used} of ${wanted.threads} threads started (${wanted.why})`,
        startMs: Date.now() - t0,
      };
      return backend;
    },
    2,
  );
  installed = true;
}

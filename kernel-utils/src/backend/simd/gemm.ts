/**
 * kernel-utils' own matrix product (gemm.wat) for the wasm backend: a 4×8 register-blocked GEMM
 * on packed panels of B, run in place on tfjs tensors. Two builds of one source: with
 * f32x4.relaxed_madd (an FMA; V8 accepts it only with --experimental-wasm-relaxed-simd, which
 * the book's kernel passes) and with mul + add (everywhere; XNNPACK's float32 operations in
 * XNNPACK's order, so equal to tfjs' matMul bit for bit). Measured against XNNPACK on one thread
 * (kernel-utils/experiments/relaxed-gemm/README.md): 1.32–1.62× (relaxed), 1.03–1.27× (plain).
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { CTL } from './gemm-control';
import { backendMemory, simdModuleOn, simdModuleValid, WasmBackendInternals } from './fused';

export interface GemmKernels {
  /** Bp ← B (K×N) packed into ceil(N/8) panels of K×8 floats (byte offsets). */
  packB(b: number, bp: number, k: number, n: number): void;
  /** Rows [i0, i1) of C = A·B from a packed Bp; addC = 1 adds to C as it is. */
  gemmPacked(
    a: number,
    bp: number,
    c: number,
    m: number,
    n: number,
    k: number,
    i0: number,
    i1: number,
    kc: number,
    mc: number,
    scratch: number,
    addC: number,
  ): void;
}

/** Cache blocks: 256 k-steps × 64 rows of A (~64 KiB), found best (within noise) of 128–512 × 32–128. */
export const GEMM_KC = 256;
export const GEMM_MC = 64;
/** Bytes of scratch one thread of the kernel needs for a partial last panel (4 rows × 8 floats). */
export const GEMM_SCRATCH_BYTES = 128;

let relaxed: boolean | null = null;

/** Whether this process's V8 accepts relaxed SIMD (node --experimental-wasm-relaxed-simd). */
export function relaxedSimdAvailable(): boolean {
  return (relaxed ??= simdModuleValid('gemm-relaxed'));
}

/** The GEMM build this process runs: relaxed (FMA) where V8 accepts it, else the plain one. */
function gemmBuild(): 'gemm-relaxed' | 'gemm' {
  return relaxedSimdAvailable() ? 'gemm-relaxed' : 'gemm';
}

/** The GEMM on `backend`'s memory. */
export function gemmKernels(backend: WasmBackendInternals): GemmKernels {
  return simdModuleOn<GemmKernels>(backend, gemmBuild());
}

/** The GEMM's second thread on one shared memory: a worker waiting on a control block. */
export interface GemmPartner {
  /** Start rows [i0, i1) of a product on the worker (gemmPacked's arguments). */
  start(args: number[]): void;
  /** Wait for the started rows (throws if the worker does not answer within WORKER_WAIT_MS). */
  finish(): void;
}

/** How long the worker may take to start, and to finish its rows of one product. */
const WORKER_START_MS = 10000;
const WORKER_WAIT_MS = 60000;
const partners = new WeakMap<object, GemmPartner | null>();
let partnerFailure: string | null = null;

/** Why the second GEMM thread is not running, if it was tried and failed (for the report). */
export function gemmPartnerFailure(): string | null {
  return partnerFailure;
}

/**
 * The second GEMM thread on `backend`'s memory, started on first use: only where that memory is
 * shared (the threaded build). Null where it is not, or where the worker did not start in time.
 */
export function gemmPartner(backend: WasmBackendInternals): GemmPartner | null {
  const memory = backendMemory(backend);
  if (!(memory.buffer instanceof SharedArrayBuffer)) return null;
  if (partners.has(memory)) return partners.get(memory) ?? null;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * CTL.size));
  // the shared-memory assembly of the same build (simdModuleOn picks it for the main thread)
  const file = path.join(__dirname, `${gemmBuild()}-shared.wasm`);
  const worker = new Worker(path.join(__dirname, 'gemm-worker.js'), {
    workerData: { memory, ctl: ctl.buffer, file },
  });
  // idle, it blocks in Atomics.wait: it must not keep a finished script alive
  worker.unref();
  let failed: string | null = null;
  worker.on('error', (e) => (failed = e.message));
  if (Atomics.wait(ctl, CTL.ready, 0, WORKER_START_MS) === 'timed-out' && ctl[CTL.ready] !== 1) {
    partnerFailure = `the GEMM worker did not start within ${WORKER_START_MS} ms${failed ? `: ${failed}` : ''}`;
    void worker.terminate();
    partners.set(memory, null);
    return null;
  }
  let job = 0;
  const partner: GemmPartner = {
    start(args) {
      ctl.set(args, CTL.args);
      Atomics.store(ctl, CTL.job, ++job);
      Atomics.notify(ctl, CTL.job);
    },
    finish() {
      const t0 = Date.now();
      while (Atomics.load(ctl, CTL.done) !== job) {
        Atomics.wait(ctl, CTL.done, job - 1, 1000);
        if (Date.now() - t0 > WORKER_WAIT_MS) {
          partners.set(memory, null);
          partnerFailure = `the GEMM worker stopped answering${failed ? `: ${failed}` : ''}`;
          throw new Error(`kernel-utils GEMM: ${partnerFailure}`);
        }
      }
    },
  };
  partners.set(memory, partner);
  return partner;
}

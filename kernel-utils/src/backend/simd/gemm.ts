/**
 * kernel-utils' own matrix product (gemm.wat) for the wasm backend: a 4×8 register-blocked GEMM
 * on packed panels of B, run in place on tfjs tensors. Two builds of one source: with
 * f32x4.relaxed_madd (an FMA; V8 accepts it only with --experimental-wasm-relaxed-simd, which
 * the book's kernel passes) and with mul + add (everywhere; XNNPACK's float32 operations in
 * XNNPACK's order, so equal to tfjs' matMul bit for bit). Measured against XNNPACK on one thread
 * (kernel-utils/experiments/relaxed-gemm/README.md): 1.32–1.62× (relaxed), 1.03–1.27× (plain).
 */
import { simdModuleOn, simdModuleValid, WasmBackendInternals } from './fused';

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
/** Bytes of scratch the kernel needs for a partial last panel (4 rows × 8 floats). */
export const GEMM_SCRATCH_BYTES = 128;

let relaxed: boolean | null = null;

/** Whether this process's V8 accepts relaxed SIMD (node --experimental-wasm-relaxed-simd). */
export function relaxedSimdAvailable(): boolean {
  return (relaxed ??= simdModuleValid('gemm-relaxed'));
}

/** The GEMM on `backend`'s memory: the relaxed (FMA) build where V8 accepts it, else the plain one. */
export function gemmKernels(backend: WasmBackendInternals): GemmKernels {
  return simdModuleOn<GemmKernels>(backend, relaxedSimdAvailable() ? 'gemm-relaxed' : 'gemm');
}

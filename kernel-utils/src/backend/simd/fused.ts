/**
 * kernel-utils' own WebAssembly kernels (fused.wat), instantiated on the wasm backend's memory so
 * that they read and write tfjs tensors in place, with 128-bit SIMD like the backend's kernels.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

// The few WebAssembly JS-API types used here (the project compiles without the DOM lib).
declare namespace WebAssembly {
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}

export interface FusedKernels {
  /** fused.wat's adamUpdate: byte offsets p, m, v, g, p', m', v', n, then the eight float32 scalars. */
  adamUpdate(
    p: number,
    m: number,
    v: number,
    g: number,
    pOut: number,
    mOut: number,
    vOut: number,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusBeta1Pow: number,
    oneMinusBeta2Pow: number,
    eps: number,
    negLr: number,
  ): void;
  /** im2col written transposed (K × M): pointers x, colsT, then the geometry N, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, top, left. */
  im2colTransposed(x: number, colsT: number, ...geometry: number[]): void;
  /** col2im from dcols (M × K) into dx (N × H × W × C, overwritten): pointers, then the same geometry. */
  col2im(dcols: number, dx: number, ...geometry: number[]): void;
  /** out[c] = Σ_r x[r, c] for a rows × cols float32 matrix x. */
  sumOverRows(x: number, out: number, rows: number, cols: number): void;
}

/** What kernel-utils needs of tfjs-backend-wasm's BackendWasm (not in its public types). */
export interface WasmBackendInternals {
  /** The single-threaded build exports its memory (asm.memory); the threaded build imports a
   * shared one, created in JavaScript (wasmMemory). */
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  dataIdMap: {
    has(dataId: object): boolean;
    get(dataId: object): { memoryOffset: number | null; refCount: number } | undefined;
  };
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
  ): { dataId: object; shape: number[]; dtype: tf.DataType };
  incRef(dataId: object): void;
}

// fused.wat assembled twice by build-wasm.mjs: importing an ordinary memory (the single-threaded
// build's) and a shared one (the threaded build's); WebAssembly links a memory only to its kind.
const WASM_FILES = {
  plain: path.join(__dirname, 'fused.wasm'),
  shared: path.join(__dirname, 'fused-shared.wasm'),
};
const compiled: Partial<Record<keyof typeof WASM_FILES, WebAssembly.Module>> = {};
const instances = new WeakMap<WebAssembly.Memory, FusedKernels>();

/** The fused kernels bound to `backend`'s memory (instantiated once per memory). */
export function fusedKernels(backend: WasmBackendInternals): FusedKernels {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory))
    throw new Error(
      'the wasm backend does not expose its WebAssembly.Memory (wasm.asm.memory or wasm.wasmMemory); kernel-utils expects tfjs-backend-wasm 4.22',
    );
  let k = instances.get(memory);
  if (!k) {
    const kind = memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'plain';
    const file = WASM_FILES[kind];
    let module = compiled[kind];
    if (!module) {
      if (!fs.existsSync(file))
        throw new Error(
          `${file} is missing: run \`npm run build\` (it assembles kernel-utils/src/backend/simd/fused.wat)`,
        );
      module = compiled[kind] = new WebAssembly.Module(fs.readFileSync(file));
    }
    k = new WebAssembly.Instance(module, { tfjs: { memory } }).exports as unknown as FusedKernels;
    instances.set(memory, k);
  }
  return k;
}

/** The byte offset of a float32 tensor's data in the wasm backend's memory. */
export function heapOffset(backend: WasmBackendInternals, t: { dataId: object }): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d || d.memoryOffset == null) throw new Error('tensor has no data in wasm memory');
  return d.memoryOffset;
}

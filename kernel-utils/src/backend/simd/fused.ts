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
  function validate(bytes: Uint8Array): boolean;
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

/** The wasm backend's memory: exported by the single-threaded build, imported (shared) by the threaded one. */
export function backendMemory(backend: WasmBackendInternals): WebAssembly.Memory {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory))
    throw new Error(
      'the wasm backend does not expose its WebAssembly.Memory (wasm.asm.memory or wasm.wasmMemory); kernel-utils expects tfjs-backend-wasm 4.22',
    );
  return memory;
}

const compiled = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, unknown>>();

/** The bytes of dist/backend/simd/<name>.wasm, assembled by `npm run build` from src/**.wat. */
export function simdModuleBytes(name: string): Uint8Array {
  const file = path.join(__dirname, `${name}.wasm`);
  if (!fs.existsSync(file))
    throw new Error(
      `${file} is missing: run \`npm run build\` (it assembles kernel-utils/src/backend/simd/*.wat)`,
    );
  return fs.readFileSync(file);
}

/** Whether this process's WebAssembly accepts module `name` (e.g. one using relaxed SIMD). */
export function simdModuleValid(name: string): boolean {
  return WebAssembly.validate(simdModuleBytes(name));
}

/**
 * The exports of simd module `name` (fused, gemm, gemm-relaxed) instantiated on `backend`'s
 * memory, once per memory. Each .wat is assembled twice by build-wasm.mjs, importing an ordinary
 * memory (the single-threaded build's) and a shared one (`-shared`, the threaded build's):
 * WebAssembly links a memory only to its kind.
 */
export function simdModuleOn<T>(backend: WasmBackendInternals, name: string): T {
  const memory = backendMemory(backend);
  let mine = instances.get(memory);
  if (!mine) instances.set(memory, (mine = new Map()));
  if (!mine.has(name)) {
    const file = memory.buffer instanceof SharedArrayBuffer ? `${name}-shared` : name;
    let module = compiled.get(file);
    if (!module) compiled.set(file, (module = new WebAssembly.Module(simdModuleBytes(file))));
    mine.set(name, new WebAssembly.Instance(module, { tfjs: { memory } }).exports);
  }
  return mine.get(name) as T;
}

/** The fused kernels bound to `backend`'s memory. */
export function fusedKernels(backend: WasmBackendInternals): FusedKernels {
  return simdModuleOn<FusedKernels>(backend, 'fused');
}

/** The byte offset of a float32 tensor's data in the wasm backend's memory. */
export function heapOffset(backend: WasmBackendInternals, t: { dataId: object }): number {
  const d = backend.dataIdMap.get(t.dataId);
  if (!d || d.memoryOffset == null) throw new Error('tensor has no data in wasm memory');
  return d.memoryOffset;
}

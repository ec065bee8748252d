/**
 * Making the wasm backend train every model of the book, fast.
 *
 * As shipped, @tensorflow/tfjs-backend-wasm (4.22) cannot train convolutions (no
 * Conv2DBackpropFilter), embeddings (no UnsortedSegmentSum), depthwise convolutions or einsum,
 * and its matMul with transposeA/transposeB — which every dense layer's gradient calls — runs
 * about 10× slower than transposing first. `patchWasmBackend()` fixes all of it:
 *
 *  - BatchMatMul and _FusedMatMul: transpose the operands explicitly with wasm's Transpose
 *    kernel, then call the original kernel without transposes (XNNPACK's fast path); or, for
 *    a·bᵀ with a large b, compute (b·aᵀ)ᵀ, which moves less data;
 *  - Conv2DBackpropFilter: im2col (a SIMD-module loop, simd/fused.wat) and one matrix product,
 *    dW = colsᵀ · dy; Conv2DBackpropInput (the input gradient, and the forward pass of
 *    conv2dTranspose): one matrix product dcols = dy · Wᵀ and col2im, ~5× faster than wasm's own;
 *  - every other kernel the cpu backend has and wasm lacks (depthwise backprops,
 *    UnsortedSegmentSum, Einsum, …): run the cpu backend's kernel on a copy of the data;
 *  - Identity: shares its input's data, as the cpu backend does, instead of copying it (tfjs calls
 *    it a dozen times per training step, for gradients that pass through unchanged);
 *  - Sum over every axis but the last (every bias's gradient): one SIMD pass (simd/fused.wat)
 *    instead of a transpose of the whole input and a reduction;
 *  - tf.train.adam: on wasm, each variable's update is one pass of a SIMD kernel (simd/fused.wat)
 *    instead of ~13 kernels, with the same float32 operations in the same order.
 *
 * Each is checked against the cpu backend in tests/unit/wasm-kernels.test.mjs.
 * BOOK_WASM_PATCH=0 leaves wasm as shipped (for benchmarks).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernels, heapOffset, WasmBackendInternals } from './simd/fused';
import {
  GEMM_KC,
  GEMM_MC,
  GEMM_SCRATCH_BYTES,
  gemmKernels,
  gemmPartner,
  gemmPartnerFailure,
  relaxedSimdAvailable,
} from './simd/gemm';
import { wasmThreadsReport } from './threads';

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type Attrs = Record<string, unknown>;
type KernelArgs = {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmBackend;
  attrs?: Attrs;
};
type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];
type WasmBackend = WasmBackendInternals & {
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): { set(values: ArrayLike<number>): void };
};
interface CpuBackend {
  write(values: ArrayLike<number>, shape: number[], dtype: tf.DataType): object;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Kernels that cannot go through the numeric cpu fallback (complex or string data, canvas). */
const NO_FALLBACK = new Set([
  'Complex',
  'ComplexAbs',
  'FFT',
  'IFFT',
  'Imag',
  'Real',
  'Draw',
  'StaticRegexReplace',
  'StringNGrams',
  'StringSplit',
  'StringToHashBucketFast',
]);

let patched: string[] | null = null;

function kernel(name: string, backend = 'wasm'): KernelFunc {
  const k = tf.getKernel(name, backend);
  if (!k) throw new Error(`the ${backend} backend has no ${name} kernel`);
  return k.kernelFunc as unknown as KernelFunc;
}

function call(name: string, args: KernelArgs): TensorInfo {
  return kernel(name)(args) as TensorInfo;
}

/** Run `fn` with `keep` to register intermediate buffers; they are freed when `fn` returns or throws. */
function withTemps<T>(backend: WasmBackend, fn: (keep: (t: TensorInfo) => TensorInfo) => T): T {
  const temps: TensorInfo[] = [];
  try {
    return fn((t) => (temps.push(t), t));
  } finally {
    temps.forEach((t) => backend.disposeData(t.dataId));
  }
}

/** Swap the last two axes of `x` with wasm's Transpose kernel. */
function transposeLast2(x: TensorInfo, backend: WasmBackend): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return call('Transpose', { inputs: { x }, backend, attrs: { perm } });
}

const sizeOf = (t: TensorInfo) => tf.util.sizeFromShape(t.shape);

/**
 * Whether a·bᵀ (or aᵀ·bᵀ) is cheaper as (b·aᵀ)ᵀ (or (b·a)ᵀ): XNNPACK packs its right operand
 * anew for every call, so the direct way moves b twice (transpose, pack); the swapped way moves
 * a (transpose unless a is already transposed, then pack) and transposes the product c. For a
 * dense layer's input gradient dy·Wᵀ with a large W, swapping measured 5.7–6.1 ms against
 * 7.6–7.7 ms (128×512 · (784×512)ᵀ).
 */
function swapOperandsIsCheaper(a: TensorInfo, b: TensorInfo, transposeA: boolean): boolean {
  const rows = (t: TensorInfo) => t.shape[t.shape.length - 2];
  const cols = (t: TensorInfo) => t.shape[t.shape.length - 1];
  const batch = Math.max(
    sizeOf(a) / (rows(a) * cols(a)) || 1,
    sizeOf(b) / (rows(b) * cols(b)) || 1,
  );
  const c = batch * (transposeA ? cols(a) : rows(a)) * rows(b);
  return (transposeA ? 1 : 2) * sizeOf(a) + c < 2 * sizeOf(b);
}

/**
 * BatchMatMul or _FusedMatMul with transposed operands transposed explicitly first; for
 * BatchMatMul with transposeB, the product may be computed with its operands swapped instead
 * (a·bᵀ = (b·aᵀ)ᵀ), whichever moves less data. _FusedMatMul keeps its order: its bias and
 * activation apply to the product as it comes out.
 */
function explicitTransposes(name: 'BatchMatMul' | '_FusedMatMul') {
  return (original: KernelFunc): KernelFunc =>
    ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
      const plain = { ...attrs, transposeA: false, transposeB: false };
      return withTemps(backend, (keep) => {
        const inA = inputs.a as TensorInfo,
          inB = inputs.b as TensorInfo;
        if (name === 'BatchMatMul' && transposeB && swapOperandsIsCheaper(inA, inB, transposeA)) {
          const aT = transposeA ? inA : keep(transposeLast2(inA, backend));
          const cT = keep(
            original({ inputs: { a: inB, b: aT }, backend, attrs: plain }) as TensorInfo,
          );
          return transposeLast2(cT, backend);
        }
        const a = transposeA ? keep(transposeLast2(inA, backend)) : inA;
        const b = transposeB ? keep(transposeLast2(inB, backend)) : inB;
        return original({ inputs: { ...inputs, a, b }, backend, attrs: plain });
      });
    };
}

type ConvAttrs = {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** The convolution's geometry, plus M = N·outH·outW (output positions) and K = kh·kw·Cin (window size). */
function convInfo(
  name: string,
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): { info: tf.backend_util.Conv2DInfo; M: number; K: number } {
  if (attrs.dataFormat === 'NCHW')
    throw new Error(`${name} on wasm: only the NHWC data format is supported`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    info,
    M: info.batchSize * info.outHeight * info.outWidth,
    K: info.filterHeight * info.filterWidth * info.inChannels,
  };
}

/** The convolution's geometry as fused.wat's im2colTransposed and col2im take it, after the two pointers. */
function geometry(info: tf.backend_util.Conv2DInfo): number[] {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padInfo,
  } = info;
  return [
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padInfo.top,
    padInfo.left,
  ];
}

/**
 * The filter gradient of a 2-D convolution: dW = colsᵀ · dy, with colsᵀ = im2col(x) written
 * transposed (K × M, K = kh·kw·Cin, M = N·outH·outW) and dy as M × Cout. The K × Cout product is
 * already the filter's [kh, kw, Cin, Cout] layout.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const a = attrs as ConvAttrs & { filterShape: [number, number, number, number] };
  const { info, M, K } = convInfo('Conv2DBackpropFilter', x.shape, a.filterShape, a);
  return withTemps(backend, (keep) => {
    const colsT = keep(backend.makeOutput([1, K, M], 'float32'));
    // im2col written transposed, so that colsT is the product's left operand and XNNPACK packs
    // only the small dy as its "weights"
    if (M > 0)
      fusedKernels(backend).im2colTransposed(
        heapOffset(backend, x),
        heapOffset(backend, colsT),
        ...geometry(info),
      );
    const dy3 = keep(
      call('Reshape', { inputs: { x: dy }, backend, attrs: { shape: [1, M, info.outChannels] } }),
    );
    const dw = keep(
      call('BatchMatMul', {
        inputs: { a: colsT, b: dy3 },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }),
    );
    return call('Reshape', { inputs: { x: dw }, backend, attrs: { shape: a.filterShape } });
  });
};

/**
 * The input gradient of a 2-D convolution (also the forward pass of a transposed convolution):
 * dcols = dy · W2ᵀ (M × K, W2 the filter as K × Cout), then dx = col2im(dcols).
 */
const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const a = attrs as ConvAttrs & { inputShape: [number, number, number, number] };
  const { info, M, K } = convInfo('Conv2DBackpropInput', a.inputShape, filter.shape, a);
  return withTemps(backend, (keep) => {
    const dy3 = keep(
      call('Reshape', { inputs: { x: dy }, backend, attrs: { shape: [1, M, info.outChannels] } }),
    );
    const w3 = keep(
      call('Reshape', {
        inputs: { x: filter },
        backend,
        attrs: { shape: [1, K, info.outChannels] },
      }),
    );
    const wT = keep(transposeLast2(w3, backend));
    const dcols = keep(
      call('BatchMatMul', {
        inputs: { a: dy3, b: wT },
        backend,
        attrs: { transposeA: false, transposeB: false },
      }),
    );
    const dx = backend.makeOutput(a.inputShape, 'float32');
    if (M > 0)
      fusedKernels(backend).col2im(
        heapOffset(backend, dcols),
        heapOffset(backend, dx),
        ...geometry(info),
      );
    else backend.typedArrayFromHeap(dx).set(new Float32Array(sizeOf(dx)));
    return dx;
  });
};

/** A wasm kernel that runs the cpu backend's kernel `name` on a copy of its inputs. */
function cpuFallback(name: string): KernelFunc {
  const cpuKernel = kernel(name, 'cpu');
  return ({ inputs, backend, attrs }) => {
    const cpu = tf.findBackend('cpu') as unknown as CpuBackend;
    if (!cpu) throw new Error(`${name} on wasm runs on the cpu backend, which is not registered`);
    const written: object[] = [];
    // Most kernels take named inputs; a few (Concat, Einsum, AddN, …) take an array.
    const toCpu = (t: TensorInfo): TensorInfo => {
      const dataId = cpu.write(backend.readSync(t.dataId), t.shape, t.dtype);
      written.push(dataId);
      return { dataId, shape: t.shape, dtype: t.dtype };
    };
    try {
      const cpuInputs = Array.isArray(inputs)
        ? (inputs as TensorInfo[]).map(toCpu)
        : Object.fromEntries(
            Object.entries(inputs)
              .filter(([, t]) => t)
              .map(([k, t]) => [k, toCpu(t as TensorInfo)]),
          );
      const result = cpuKernel({
        inputs: cpuInputs as KernelArgs['inputs'],
        backend: cpu as unknown as WasmBackend,
        attrs,
      });
      const outs = Array.isArray(result) ? result : [result];
      const copied = outs.map((o) => {
        const values = cpu.readSync(o.dataId);
        const out = backend.makeOutput(o.shape, o.dtype);
        backend.typedArrayFromHeap(out).set(values);
        cpu.disposeData(o.dataId);
        return out;
      });
      return Array.isArray(result) ? copied : copied[0];
    } finally {
      for (const id of written) cpu.disposeData(id);
    }
  };
}

/**
 * How many threads compute matrix products with kernel-utils' GEMM (simd/gemm.wat): 1 on the
 * single-threaded build, 2 on the threaded one (the main thread and one worker on the shared
 * memory, started at the first product); 0 = XNNPACK instead (BOOK_WASM_GEMM=0, more than 2
 * threads, or the worker failed).
 */
function ownGemmThreads(): number {
  if (process.env.BOOK_WASM_GEMM === '0') return 0;
  const threads = wasmThreadsReport()?.used ?? 1;
  if (threads === 1) return 1;
  return threads > 2 || gemmPartnerFailure() ? 0 : 2;
}

/** Which code computes the wasm backend's matrix products, in words (for the backend report). */
export function wasmProducts(): string {
  const threads = wasmThreadsReport()?.used ?? 1;
  const xnnpack = `XNNPACK${threads > 1 ? ` on ${threads} threads` : ''}`;
  const own = process.env.BOOK_WASM_PATCH === '0' ? 0 : ownGemmThreads();
  if (!own) return `${xnnpack}${gemmPartnerFailure() ? ` (${gemmPartnerFailure()})` : ''}`;
  return (
    `kernel-utils GEMM on ${own} thread${own > 1 ? 's' : ''}, ` +
    (relaxedSimdAvailable()
      ? 'relaxed SIMD (FMA)'
      : '128-bit SIMD (no relaxed SIMD in this node: FMA off)')
  );
}

/** Below this many multiply-adds XNNPACK's call is cheaper than packing B. */
const GEMM_MIN_MACS = 1 << 15;
/** From this many multiply-adds (and 16 rows) a product is split between two threads. */
const GEMM_SPLIT_MIN_MACS = 1 << 18;

/** The batch shape of the product of a (…×M×K) and b (…×K×N), or null if not broadcastable. */
function productBatch(a: TensorInfo, b: TensorInfo): number[] | null {
  const [ba, bb] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const [na, nb] = [tf.util.sizeFromShape(ba), tf.util.sizeFromShape(bb)];
  if (na !== nb && na !== 1 && nb !== 1) return null;
  try {
    const out = tf.backend_util.assertAndGetBroadcastShape(ba, bb);
    return tf.util.sizeFromShape(out) === Math.max(na, nb) ? out : null;
  } catch {
    return null;
  }
}

/**
 * C = A·B with simd/gemm.wat into a new output, for float32 operands without transposes whose
 * batches are equal or one of them 1; null when the product is not one of those (XNNPACK then).
 * `bias` (N floats) is written into C first and the product added to it, XNNPACK's order.
 */
function ownGemm(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  bias: TensorInfo | null,
): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2) return null;
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  const batch = productBatch(a, b);
  if (K !== K2 || !batch || M * N * K < GEMM_MIN_MACS) return null;
  if (bias && (bias.dtype !== 'float32' || sizeOf(bias) !== N)) return null;
  const nBatch = tf.util.sizeFromShape(batch);
  const strideA = sizeOf(a) === M * K ? 0 : 4 * M * K;
  const strideB = sizeOf(b) === K * N ? 0 : 4 * K * N;
  const threads = ownGemmThreads();
  // the second thread takes the lower rows, from a multiple of 4 near the middle
  const split = threads === 2 && M >= 16 && M * N * K >= GEMM_SPLIT_MIN_MACS;
  const helper = split ? gemmPartner(backend) : null;
  // no GEMM here, or its worker did not start (ownGemmThreads says 0 from now on): XNNPACK
  if (!threads || (split && !helper)) return null;
  const out = backend.makeOutput([...batch, M, N], 'float32');
  if (M * N === 0) return out;
  const g = gemmKernels(backend);
  const mid = helper ? 4 * Math.floor(M / 8) : M;
  return withTemps(backend, (keep) => {
    const panels = Math.ceil(N / 8);
    const packed = keep(backend.makeOutput([panels * 8 * K + GEMM_SCRATCH_BYTES / 2], 'float32'));
    const bp = heapOffset(backend, packed);
    const scratch = bp + 4 * panels * 8 * K;
    const scratch2 = scratch + GEMM_SCRATCH_BYTES;
    const [pa, pb, pc] = [heapOffset(backend, a), heapOffset(backend, b), heapOffset(backend, out)];
    if (bias) {
      const c = backend.typedArrayFromHeap(out) as unknown as Float32Array;
      const row = backend.typedArrayFromHeap(bias) as unknown as Float32Array;
      for (let r = 0; r < nBatch * M; r++) c.set(row, r * N);
    }
    for (let i = 0; i < nBatch; i++) {
      if (i === 0 || strideB) g.packB(pb + i * strideB, bp, K, N);
      const [ai, ci, addC] = [pa + i * strideA, pc + 4 * i * M * N, bias ? 1 : 0];
      helper?.start([ai, bp, ci, M, N, K, mid, M, GEMM_KC, GEMM_MC, scratch2, addC]);
      g.gemmPacked(ai, bp, ci, M, N, K, 0, mid, GEMM_KC, GEMM_MC, scratch, addC);
      helper?.finish();
    }
    return out;
  });
}

/** BatchMatMul through ownGemm (transposes made explicit before, by explicitTransposes). */
function gemmBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (transposeA || transposeB) return original(args);
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    return ownGemm(args.backend, a, b, null) ?? original(args);
  };
}

/**
 * _FusedMatMul through ownGemm: the bias first in C, then the product added (as XNNPACK does),
 * then relu or relu6 (exact clamps); other activations and biases go to XNNPACK's kernel.
 */
function gemmFusedMatMul(original: KernelFunc): KernelFunc {
  const activations: Record<string, string | null> = { linear: null, relu: 'Relu', relu6: 'Relu6' };
  return (args) => {
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean; activation: string };
    const act = activations[attrs.activation ?? 'linear'];
    if (attrs.transposeA || attrs.transposeB || act === undefined) return original(args);
    const { a, b, bias } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
    const c = ownGemm(args.backend, a, b, bias ?? null);
    if (!c) return original(args);
    if (!act) return c;
    try {
      return call(act, { inputs: { x: c }, backend: args.backend });
    } finally {
      args.backend.disposeData(c.dataId);
    }
  };
}

/** Identity without a copy: the output shares the input's data (tensors are immutable). */
function sharedIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original(args);
    (args.backend as unknown as WasmBackendInternals).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * Sum on wasm: a float32 sum over every axis but the last (a bias's gradient) is one pass of
 * fused.wat's sumOverRows; any other reduction goes to wasm's own Sum.
 */
function sumOverLeadingAxes(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const r = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = r >= 2 && axes.length === r - 1 && axes.every((a, i) => a === i);
    const cols = x.shape[r - 1];
    if (x.dtype !== 'float32' || !leading || cols === 0) return original(args);
    const backend = args.backend;
    const out = backend.makeOutput(keepDims ? [...Array(r - 1).fill(1), cols] : [cols], 'float32');
    fusedKernels(backend).sumOverRows(
      heapOffset(backend, x),
      heapOffset(backend, out),
      sizeOf(x) / cols,
      cols,
    );
    return out;
  };
}

type Moment = { originalName: string; variable: tf.Variable };
type VariableGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];
/** The parts of tfjs' AdamOptimizer its applyGradients uses (tfjs-core 4.22, adam_optimizer.js). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

/**
 * AdamOptimizer.applyGradients with each variable's update done by fused.wat's adamUpdate when
 * the backend is wasm; on any other backend, or for a tensor not in wasm memory, tfjs' own code.
 * Moments, accumulated β powers, iteration count, weights for saving: as tfjs keeps them.
 */
function fusedAdam(original: (this: AdamInternals, g: VariableGradients) => void) {
  return function applyGradients(this: AdamInternals, variableGradients: VariableGradients): void {
    if (tf.getBackend() !== 'wasm') return original.call(this, variableGradients);
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const registered = (
      tf.engine() as unknown as { registeredVariables: Record<string, tf.Variable> }
    ).registeredVariables;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const grads = names.map((name, i) =>
      Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name],
    );
    const inWasm = (t: tf.Tensor) => t.dtype === 'float32' && backend.dataIdMap.has(t.dataId);
    const values = names.map((name) => registered[name]);
    if (!values.every((v) => v && inWasm(v)) || !grads.every((g) => g == null || inWasm(g)))
      return original.call(this, variableGradients);
    const k = fusedKernels(backend);
    const at = (t: { dataId: object }) => heapOffset(backend, t);
    const engine = tf.engine() as unknown as { makeTensorFromTensorInfo(t: TensorInfo): tf.Tensor };
    tf.tidy(() => {
      // (1 − β1ᵗ) and (1 − β2ᵗ) rounded to float32, as tfjs' sub(1, accBeta) gives them
      const oneMinusBeta1Pow = Math.fround(1 - this.accBeta1.dataSync()[0]);
      const oneMinusBeta2Pow = Math.fround(1 - this.accBeta2.dataSync()[0]);
      names.forEach((name, i) => {
        const value = values[i];
        this.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        this.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = grads[i];
        if (gradient == null) return;
        const m = this.accumulatedFirstMoment[i].variable;
        const v = this.accumulatedSecondMoment[i].variable;
        const [pOut, mOut, vOut] = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
        k.adamUpdate(
          at(value),
          at(m),
          at(v),
          at(gradient),
          at(pOut),
          at(mOut),
          at(vOut),
          value.size,
          this.beta1,
          1 - this.beta1,
          this.beta2,
          1 - this.beta2,
          oneMinusBeta1Pow,
          oneMinusBeta2Pow,
          this.epsilon,
          -this.learningRate,
        );
        m.assign(engine.makeTensorFromTensorInfo(mOut));
        v.assign(engine.makeTensorFromTensorInfo(vOut));
        value.assign(engine.makeTensorFromTensorInfo(pOut));
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
}

/**
 * Patch the wasm backend (once per process). Returns the kernels it added or replaced.
 * Call before or after `tf.setBackend('wasm')`; kernel lookups happen at run time.
 */
export function patchWasmBackend(): string[] {
  if (patched) return patched;
  if (process.env.BOOK_WASM_PATCH === '0') return (patched = []);
  require('@tensorflow/tfjs-backend-wasm');
  const changes: string[] = [];
  const register = (kernelName: string, kernelFunc: KernelFunc, note: string) => {
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    });
    changes.push(`${kernelName} (${note})`);
  };
  // Wrap a wasm kernel, keeping its config (Sum's setupFunc binds its C++ function at backend start).
  const wrap = (
    kernelName: string,
    wrapper: (original: KernelFunc) => KernelFunc,
    note: string,
  ) => {
    const config = tf.getKernel(kernelName, 'wasm');
    if (!config) throw new Error(`wasm has no ${kernelName} kernel to patch`);
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: wrapper(config.kernelFunc as unknown as KernelFunc) as unknown as tf.KernelFunc,
    });
    changes.push(`${kernelName} (${note})`);
  };
  const gemm = 'kernel-utils GEMM, 1 or 2 threads';
  wrap('BatchMatMul', (k) => explicitTransposes('BatchMatMul')(gemmBatchMatMul(k)), gemm);
  wrap('_FusedMatMul', (k) => explicitTransposes('_FusedMatMul')(gemmFusedMatMul(k)), gemm);
  wrap('Identity', sharedIdentity, 'shares its input instead of copying');
  wrap('Sum', sumOverLeadingAxes, 'over every axis but the last: one SIMD pass');
  const adam = tf.AdamOptimizer.prototype as unknown as {
    applyGradients: (this: AdamInternals, g: VariableGradients) => void;
  };
  adam.applyGradients = fusedAdam(adam.applyGradients);
  changes.push('tf.train.adam (one fused SIMD pass per variable on wasm)');
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm'))
    register('Conv2DBackpropFilter', conv2DBackpropFilter, 'im2col + matMul');
  // wasm's own Conv2DBackpropInput is a direct loop nest, ~5× slower than matMul + col2im.
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  register('Conv2DBackpropInput', conv2DBackpropInput, 'matMul + col2im');
  const wasmHas = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (!wasmHas.has(k.kernelName) && !NO_FALLBACK.has(k.kernelName))
      register(k.kernelName, cpuFallback(k.kernelName), 'cpu kernel on copied data');
  }
  return (patched = changes);
}

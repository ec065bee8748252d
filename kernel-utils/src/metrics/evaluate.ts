/**
 * One call that scores a set of samples against real data with every distribution metric, as
 * the command-line evaluator (`npm run metrics`) and notebook 14 do.
 */
import { Matrix, matrix, assertFinite } from '../stats/linalg';
import { fid } from './fid';
import { kernelInceptionDistance } from './kid';
import { precisionRecallDensityCoverage, checkNeighbourCount } from './neighbours';
import { inceptionScore, inceptionSplits, conditionalAccuracy } from './scores';
import { loadDigitClassifier, digitFeatures } from './digit-models';

export interface SampleArray {
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
  shape: number[];
}

/** N×28×28, N×28×28×1 or N×784: an array of MNIST-sized images. */
export function isImageShape(shape: number[]): boolean {
  const s = shape.join('×');
  return (
    (shape.length === 3 && s.endsWith('×28×28')) ||
    (shape.length === 4 && s.endsWith('×28×28×1')) ||
    (shape.length === 2 && shape[1] === 784)
  );
}

function asFloatRows(a: SampleArray, name: string): Matrix {
  if (a.shape.length < 2)
    throw new Error(`${name}: shape [${a.shape}] is not N×D (one row per sample)`);
  const n = a.shape[0];
  const d = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const data =
    a.data instanceof Float32Array || a.data instanceof Float64Array
      ? a.data
      : Float32Array.from(a.data);
  const m = matrix(data, n, d, name);
  assertFinite(m, name);
  return m;
}

export interface EvaluateOptions {
  /** 'raw': the arrays as given (N×D); 'classifier': the digit classifier's features; 'auto' (default): classifier for image arrays, raw otherwise. */
  features?: 'raw' | 'classifier' | 'auto';
  /** Neighbours for precision/recall/density/coverage (default 5). */
  k?: number;
  kidSubsets?: number;
  kidSubsetSize?: number;
  /** Labels the fake samples were generated for (conditional generators): adds conditional accuracy. */
  fakeLabels?: ArrayLike<number>;
  seed?: number;
  /** Names used in error messages (e.g. the file names). */
  realName?: string;
  fakeName?: string;
}

export interface Evaluation {
  fid: number;
  kid: { mean: number; std: number };
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  is?: { mean: number; std: number };
  conditionalAccuracy?: number;
  features: 'raw' | 'classifier';
  k: number;
  nReal: number;
  nFake: number;
}

/** Real vs fake: FID, KID, precision, recall, density, coverage (+ IS and conditional accuracy with the classifier). */
export async function evaluateSamples(
  real: SampleArray,
  fake: SampleArray,
  opts: EvaluateOptions = {},
): Promise<Evaluation> {
  const realName = opts.realName ?? 'real';
  const fakeName = opts.fakeName ?? 'fake';
  const k = opts.k ?? 5;
  let kind = opts.features ?? 'auto';
  if (kind === 'auto')
    kind = isImageShape(real.shape) && isImageShape(fake.shape) ? 'classifier' : 'raw';
  let realF = asFloatRows(real, realName);
  let fakeF = asFloatRows(fake, fakeName);
  // before the classifier runs: fail fast on sets too small for the k-NN metrics
  checkNeighbourCount(realF, k, realName);
  checkNeighbourCount(fakeF, k, fakeName);
  let fakeProbs: Matrix | null = null;
  if (kind === 'classifier') {
    for (const [a, name] of [
      [real, realName],
      [fake, fakeName],
    ] as const) {
      if (!isImageShape(a.shape))
        throw new Error(
          `${name}: shape [${a.shape}] is not an array of 28×28 images (N×28×28 or N×784); use --features raw for feature vectors`,
        );
    }
    const net = await loadDigitClassifier();
    realF = digitFeatures(net, realF.data, { name: realName }).features;
    const f = digitFeatures(net, fakeF.data, { name: fakeName });
    fakeF = f.features;
    fakeProbs = f.probs;
  } else if (realF.cols !== fakeF.cols) {
    throw new Error(
      `${realName} has ${realF.cols} features per sample, ${fakeName} has ${fakeF.cols}`,
    );
  }
  if (opts.fakeLabels && !fakeProbs)
    throw new Error(
      'fake labels need the classifier features (conditional accuracy is measured by the digit classifier)',
    );
  const prdc = precisionRecallDensityCoverage(realF, fakeF, { k });
  const kid = kernelInceptionDistance(realF, fakeF, {
    subsets: opts.kidSubsets,
    subsetSize: opts.kidSubsetSize,
    seed: opts.seed,
  });
  const out: Evaluation = {
    fid: fid(realF, fakeF),
    kid: { mean: kid.mean, std: kid.std },
    ...prdc,
    features: kind,
    k,
    nReal: realF.rows,
    nFake: fakeF.rows,
  };
  if (fakeProbs) {
    const is = inceptionScore(fakeProbs, { splits: inceptionSplits(fakeProbs.rows) });
    out.is = { mean: is.mean, std: is.std };
    if (opts.fakeLabels) out.conditionalAccuracy = conditionalAccuracy(fakeProbs, opts.fakeLabels);
  }
  return out;
}

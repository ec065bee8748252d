/**
 * Kernel Inception Distance: the unbiased estimate of the squared maximum mean discrepancy
 * (MMD², 최대 평균 불일치) between real and fake features under the polynomial kernel
 * k(x, y) = (x·y/d + 1)³, averaged over random subsets (torch-fidelity / clean-fid):
 *   MMD²_u = [Σ_{i≠j} k(xᵢ,xⱼ) + Σ_{i≠j} k(yᵢ,yⱼ)] / (m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / m².
 * Unlike FID it has no bias in the number of samples, and can be negative for equal distributions.
 */
import * as tf from '@tensorflow/tfjs';
import { Matrix, assertFinite } from '../stats/linalg';
import { Rng } from '../book/random';

/** Σ over all entries of (AᵀB/d + 1)³, and over the diagonal when A is B (float64 sums). */
function polynomialKernelSums(
  A: Float32Array,
  B: Float32Array,
  m1: number,
  m2: number,
  d: number,
  same: boolean,
): { total: number; diagonal: number } {
  const prod = tf.tidy(() =>
    tf.matMul(tf.tensor2d(A, [m1, d]), tf.tensor2d(B, [m2, d]), false, true),
  );
  const g = prod.dataSync();
  prod.dispose();
  let total = 0,
    diagonal = 0;
  for (let i = 0; i < g.length; i++) {
    const v = g[i] / d + 1;
    total += v * v * v;
  }
  if (same)
    for (let i = 0; i < m1; i++) {
      const v = g[i * m2 + i] / d + 1;
      diagonal += v * v * v;
    }
  return { total, diagonal };
}

function gatherRows(X: Matrix, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * X.cols);
  for (let i = 0; i < idx.length; i++)
    out.set(X.data.subarray(idx[i] * X.cols, (idx[i] + 1) * X.cols), i * X.cols);
  return out;
}

/** Unbiased MMD² with the cubic polynomial kernel between the rows `realIdx` of real and `fakeIdx` of fake (equal sizes). */
export function polynomialMmd2(
  real: Matrix,
  fake: Matrix,
  realIdx: ArrayLike<number>,
  fakeIdx: ArrayLike<number>,
): number {
  const m = realIdx.length;
  if (fakeIdx.length !== m)
    throw new Error(`polynomialMmd2: subsets differ in size (${m} vs ${fakeIdx.length})`);
  if (m < 2) throw new Error(`polynomialMmd2: a subset needs at least 2 samples, got ${m}`);
  const d = real.cols;
  const x = gatherRows(real, realIdx);
  const y = gatherRows(fake, fakeIdx);
  const xx = polynomialKernelSums(x, x, m, m, d, true);
  const yy = polynomialKernelSums(y, y, m, m, d, true);
  const xy = polynomialKernelSums(x, y, m, m, d, false);
  return (
    (xx.total - xx.diagonal + yy.total - yy.diagonal) / (m * (m - 1)) - (2 * xy.total) / (m * m)
  );
}

/** A random subset of size m from 0…n−1 without replacement (partial Fisher–Yates). */
export function sampleWithoutReplacement(n: number, m: number, rng: Rng): Int32Array {
  if (m > n) throw new Error(`sampleWithoutReplacement: cannot draw ${m} of ${n}`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, m);
}

export interface KidResult {
  mean: number;
  std: number;
  subsets: number;
  subsetSize: number;
}

/**
 * KID: mean and standard deviation of MMD² over `subsets` random subsets of
 * `subsetSize` = min(n_real, n_fake, 1000) samples (torch-fidelity's defaults: 100 × 1000).
 */
export function kernelInceptionDistance(
  real: Matrix,
  fake: Matrix,
  opts: { subsets?: number; subsetSize?: number; seed?: number } = {},
): KidResult {
  assertFinite(real, 'real features');
  assertFinite(fake, 'fake features');
  if (real.cols !== fake.cols)
    throw new Error(`KID: feature dimensions differ (${real.cols} vs ${fake.cols})`);
  const subsets = opts.subsets ?? 100;
  const size = opts.subsetSize ?? Math.min(real.rows, fake.rows, 1000);
  if (!Number.isInteger(subsets) || subsets < 1)
    throw new Error(`KID: subsets must be a positive integer, got ${subsets}`);
  if (!Number.isInteger(size) || size < 2)
    throw new Error(`KID: subset size must be an integer ≥ 2, got ${size}`);
  if (size > real.rows || size > fake.rows)
    throw new Error(
      `KID: subset size ${size} exceeds the samples (real ${real.rows}, fake ${fake.rows})`,
    );
  const rng = new Rng(opts.seed ?? 0);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const fi = sampleWithoutReplacement(fake.rows, size, rng);
    const ri = sampleWithoutReplacement(real.rows, size, rng);
    values.push(polynomialMmd2(real, fake, ri, fi));
  }
  const mean = values.reduce((a, b) => a + b, 0) / subsets;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / subsets);
  return { mean, std, subsets, subsetSize: size };
}

/**
 * Fréchet distance between two Gaussians fitted to features (FID when the features are an
 * image network's): FID = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^½.
 *
 * tr (Σ₁Σ₂)^½ is computed without a matrix square root: with Σ₁ = F₁F₁ᵀ and Σ₂ = F₂F₂ᵀ
 * (pivoted Cholesky factors), the eigenvalues of Σ₁Σ₂ are those of (F₁ᵀF₂)(F₁ᵀF₂)ᵀ, so the trace
 * is the sum of the singular values of F₁ᵀF₂ — real and exact for singular covariances too.
 * pytorch-fid's two safeguards are kept: a non-finite result is retried with ε·I added to both
 * covariances (ε = 1e-6), and an imaginary part over 1e-3 is an error. Here the only source of
 * an imaginary part is rounding that makes an eigenvalue of the positive semi-definite Gram
 * matrix negative; √|λ| of the most negative one is what is compared with 1e-3.
 */
import {
  Matrix,
  assertFinite,
  sampleCovariance,
  pivotedCholesky,
  crossDots,
  gramOfRows,
  symmetricEigenvalues,
} from '../stats/linalg';

export interface GaussianStats {
  mean: Float64Array;
  cov: Float64Array;
  dim: number;
  count: number;
}

/** Mean and covariance (n − 1) of a feature matrix, as pytorch-fid's calculate_activation_statistics. */
export function gaussianStats(features: Matrix, name = 'features'): GaussianStats {
  assertFinite(features, name);
  if (features.rows < 2)
    throw new Error(`${name}: FID needs at least 2 samples, got ${features.rows}`);
  const { mean, covariance: cov } = sampleCovariance(features);
  return { mean, cov, dim: features.cols, count: features.rows };
}

/**
 * tr (Σ₁Σ₂)^½ for symmetric positive semi-definite d×d matrices, and the would-be imaginary part
 * (√ of minus the most negative eigenvalue of the Gram matrix; 0 if none is negative).
 */
export function traceSqrtProduct(
  sigma1: Float64Array,
  sigma2: Float64Array,
  d: number,
): { trace: number; imaginary: number; rank1: number; rank2: number } {
  const f1 = pivotedCholesky(sigma1, d).columns;
  const f2 = pivotedCholesky(sigma2, d).columns;
  if (f1.length === 0 || f2.length === 0)
    return { trace: 0, imaginary: 0, rank1: f1.length, rank2: f2.length };
  // C = F₁ᵀF₂ (r₁×r₂); the Gram matrix of its shorter side has the squared singular values.
  const [a, b] = f1.length <= f2.length ? [f1, f2] : [f2, f1];
  const rows = crossDots(a, b);
  const G = gramOfRows(rows);
  const eig = symmetricEigenvalues(G, rows.length);
  let trace = 0;
  for (const l of eig) if (l > 0) trace += Math.sqrt(l);
  const imaginary = eig[0] < 0 ? Math.sqrt(-eig[0]) : 0;
  return { trace, imaginary, rank1: f1.length, rank2: f2.length };
}

export interface FrechetResult {
  fid: number;
  meanTerm: number;
  traceTerm: number;
  offsetApplied: boolean;
}

/** Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), with pytorch-fid's safeguards. */
export function frechetDistance(
  s1: GaussianStats,
  s2: GaussianStats,
  opts: { eps?: number } = {},
): FrechetResult {
  const d = s1.dim;
  if (s2.dim !== d)
    throw new Error(`frechetDistance: feature dimensions differ (${s1.dim} vs ${s2.dim})`);
  const eps = opts.eps ?? 1e-6;
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (s1.mean[i] - s2.mean[i]) ** 2;
  let tr1 = 0,
    tr2 = 0;
  for (let i = 0; i < d; i++) {
    tr1 += s1.cov[i * d + i];
    tr2 += s2.cov[i * d + i];
  }
  let sq = traceSqrtProduct(s1.cov, s2.cov, d);
  let offsetApplied = false;
  if (!Number.isFinite(sq.trace)) {
    const c1 = Float64Array.from(s1.cov);
    const c2 = Float64Array.from(s2.cov);
    for (let i = 0; i < d; i++) {
      c1[i * d + i] += eps;
      c2[i * d + i] += eps;
    }
    sq = traceSqrtProduct(c1, c2, d);
    offsetApplied = true;
  }
  if (sq.imaginary > 1e-3)
    throw new Error(`frechetDistance: imaginary component ${sq.imaginary} in (Σ₁Σ₂)^½ (over 1e-3)`);
  const traceTerm = tr1 + tr2 - 2 * sq.trace;
  return { fid: meanTerm + traceTerm, meanTerm, traceTerm, offsetApplied };
}

/** FID between two feature sets (rows are samples). */
export function fid(real: Matrix, fake: Matrix): number {
  return frechetDistance(gaussianStats(real, 'real features'), gaussianStats(fake, 'fake features'))
    .fid;
}

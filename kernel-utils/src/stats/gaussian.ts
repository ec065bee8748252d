/**
 * Gaussian densities. Diagonal covariances run as tfjs ops for any dimension; full covariances
 * use a Cholesky factor computed in float64 JavaScript (tfjs has no Cholesky) and tfjs ops for
 * the n × d work. All log-densities are in nats.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../book/random';

const LOG_2PI = Math.log(2 * Math.PI);

/** Lower-triangular L with L·Lᵀ = A (A symmetric positive definite, d × d row-major). */
export function cholesky(a: ArrayLike<number>, d: number): Float64Array {
  if (a.length !== d * d) throw new Error(`cholesky: ${a.length} values for a ${d}×${d} matrix`);
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
    if (!(s > 0))
      throw new Error(
        `cholesky: the matrix is not positive definite (pivot ${j} is ${s}); add a small ridge to the diagonal`,
      );
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / ljj;
    }
  }
  return L;
}

/** The inverse of a lower-triangular matrix (forward substitution, column by column). */
export function invertLowerTriangular(L: ArrayLike<number>, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[i * d + k] * inv[k * d + c];
      inv[i * d + c] = s / L[i * d + i];
    }
  }
  return inv;
}

/** Mean and (maximum-likelihood, divide-by-n) covariance of the rows of x, plus `ridge`·I. */
export function meanAndCovariance(
  x: tf.Tensor2D,
  ridge = 0,
): { mean: Float64Array; covariance: Float64Array } {
  const [n, d] = x.shape;
  const [mean, cov] = tf.tidy(() => {
    const mu = x.mean(0);
    const xc = x.sub(mu);
    return [mu.dataSync(), tf.matMul(xc, xc, true, false).div(n).dataSync()];
  });
  const covariance = Float64Array.from(cov);
  for (let i = 0; i < d; i++) covariance[i * d + i] += ridge;
  return { mean: Float64Array.from(mean), covariance };
}

/**
 * log N(x | μ, Σ) for each row of x, with Σ = L·Lᵀ: −½‖L⁻¹(x − μ)‖² − Σᵢ log Lᵢᵢ − (d/2) log 2π.
 */
export function gaussianLogDensityFull(
  x: tf.Tensor2D,
  mean: ArrayLike<number>,
  L: ArrayLike<number>,
): tf.Tensor1D {
  const d = x.shape[1];
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(L[i * d + i]);
  const Linv = invertLowerTriangular(L, d);
  return tf.tidy(() => {
    const z = tf.matMul(
      x.sub(tf.tensor1d(Float32Array.from(mean))),
      tf.tensor2d(Float32Array.from(Linv), [d, d]),
      false,
      true,
    );
    return z
      .square()
      .sum(1)
      .mul(-0.5)
      .sub(logDet + 0.5 * d * LOG_2PI) as tf.Tensor1D;
  });
}

/**
 * log N(x | μⱼ, diag vⱼ) for every row of x [n, d] and every component j (means, variances [k, d]):
 * −½ Σ_d [log 2πv + (x − μ)²/v], expanded into matrix products: x²·(1/v)ᵀ − 2x·(μ/v)ᵀ + Σ μ²/v.
 */
export function gaussianLogDensityDiag(
  x: tf.Tensor2D,
  means: tf.Tensor2D,
  variances: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const inv = variances.reciprocal();
    const quad = tf
      .matMul(x.square(), inv, false, true)
      .sub(tf.matMul(x, means.mul(inv), false, true).mul(2))
      .add(means.square().mul(inv).sum(1));
    const logNorm = variances
      .log()
      .sum(1)
      .add(x.shape[1] * LOG_2PI);
    return quad.add(logNorm).mul(-0.5) as tf.Tensor2D;
  });
}

/** `n` samples of N(μ, L·Lᵀ): μ + L·z with z ~ N(0, I). */
export function sampleGaussianFull(
  mean: ArrayLike<number>,
  L: ArrayLike<number>,
  n: number,
  rng: Rng,
): Float32Array {
  const d = mean.length;
  const out = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) z[i] = rng.normal();
    for (let i = 0; i < d; i++) {
      let v = mean[i];
      for (let k = 0; k <= i; k++) v += L[i * d + k] * z[k];
      out[s * d + i] = v;
    }
  }
  return out;
}

/**
 * Gaussian densities. Diagonal covariances run as tfjs ops for any dimension; full covariances
 * use a Cholesky factor computed in float64 JavaScript (tfjs has no Cholesky) and tfjs ops for
 * the n × d work. All log-densities are in nats.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../book/random';
import { invertLowerTriangular } from './linalg';

const LOG_2PI = Math.log(2 * Math.PI);

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

/**
 * Variational inference pieces for the VAE chapters, named after the math:
 *   KL(q ‖ p) for Gaussians in closed form, the reparameterization z = μ + σ ⊙ ε, Bernoulli and
 *   Gaussian log-likelihoods, the importance-weighted bound log (1/k) Σⱼ wⱼ,
 * and a linear-Gaussian latent-variable model whose posterior p(z|x) and marginal p(x) are exact,
 * to check log p(x) = ELBO(q) + KL(q ‖ p(z|x)) with numbers. All in nats.
 */
import * as tf from '@tensorflow/tfjs';
import { dot, matMul, matVec, spdInverseAndLogDet, trace, transpose } from './linalg';

const LOG_2PI = Math.log(2 * Math.PI);

/** KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²), one value per row. */
export function klStandardNormal(mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(
    () => mu.square().add(logVar.exp()).sub(1).sub(logVar).sum(-1).mul(0.5) as tf.Tensor1D,
  );
}

/** KL(N(μ₁, diag σ₁²) ‖ N(μ₂, diag σ₂²)) = ½ Σ [log(σ₂²/σ₁²) + (σ₁² + (μ₁ − μ₂)²)/σ₂² − 1], per row. */
export function klDiagGaussians(
  mu1: tf.Tensor,
  logVar1: tf.Tensor,
  mu2: tf.Tensor,
  logVar2: tf.Tensor,
): tf.Tensor1D {
  return tf.tidy(
    () =>
      logVar2
        .sub(logVar1)
        .add(logVar1.exp().add(mu1.sub(mu2).square()).div(logVar2.exp()))
        .sub(1)
        .sum(-1)
        .mul(0.5) as tf.Tensor1D,
  );
}

/** The reparameterization trick: z = μ + exp(½ log σ²) ⊙ ε with ε ~ N(0, I), differentiable in μ and σ. */
export function reparameterize(mu: tf.Tensor, logVar: tf.Tensor, seed?: number): tf.Tensor {
  return tf.tidy(() =>
    mu.add(
      logVar
        .mul(0.5)
        .exp()
        .mul(tf.randomNormal(mu.shape, 0, 1, 'float32', seed)),
    ),
  );
}

/** log N(z | μ, diag σ²) per row (each row with its own μ, log σ²). */
export function logNormalDiag(z: tf.Tensor, mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(
    () =>
      z
        .sub(mu)
        .square()
        .div(logVar.exp())
        .add(logVar)
        .add(LOG_2PI)
        .sum(-1)
        .mul(-0.5) as tf.Tensor1D,
  );
}

/** log p(x | logits) for Bernoulli pixels: Σ x log σ(l) + (1 − x) log(1 − σ(l)), per row, computed stably. */
export function bernoulliLogLikelihood(x: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  // x·l − log(1 + eˡ) = −softplus(−l)·x − softplus(l)·(1 − x)
  return tf.tidy(() => x.mul(logits).sub(tf.softplus(logits)).sum(-1) as tf.Tensor1D);
}

/**
 * The importance-weighted bound of Burda et al.: for log-weights log wᵢⱼ = log p(x, zⱼ) − log q(zⱼ|x)
 * with zⱼ ~ q, L_k = log (1/k) Σⱼ wᵢⱼ ≤ log p(xᵢ) (log-sum-exp over the k columns). k = 1 is the ELBO.
 */
export function iwaeBound(logWeights: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(
    () => tf.logSumExp(logWeights, 1).sub(Math.log(logWeights.shape[1])) as tf.Tensor1D,
  );
}

/** A Gaussian over z with a full covariance (float64). */
export interface FullGaussian {
  mean: number[];
  cov: number[][];
}

/** KL(N(m₁, S₁) ‖ N(m₂, S₂)) = ½ [tr(S₂⁻¹S₁) + (m₂ − m₁)ᵀS₂⁻¹(m₂ − m₁) − k + log|S₂| − log|S₁|]. */
export function klFullGaussians(q: FullGaussian, p: FullGaussian): number {
  const k = q.mean.length;
  const { inv: P, logDet: ld2 } = spdInverseAndLogDet(p.cov);
  const { logDet: ld1 } = spdInverseAndLogDet(q.cov);
  const diff = p.mean.map((v, i) => v - q.mean[i]);
  return 0.5 * (trace(matMul(P, q.cov)) + dot(diff, matVec(P, diff)) - k + ld2 - ld1);
}

/**
 * The linear-Gaussian latent-variable model z ~ N(0, I_k), x | z ~ N(Wz + b, σ²I_d): the one
 * model where everything the ELBO bounds is exact —
 *   p(x) = N(x | b, WWᵀ + σ²I),   p(z | x) = N(M⁻¹Wᵀ(x − b)/σ², M⁻¹) with M = I + WᵀW/σ².
 */
export class LinearGaussianModel {
  readonly d: number;
  readonly k: number;
  constructor(
    readonly W: number[][],
    readonly b: number[],
    readonly sigma: number,
  ) {
    this.d = W.length;
    this.k = W[0].length;
    if (b.length !== this.d)
      throw new Error(`LinearGaussianModel: b has ${b.length} entries, W has ${this.d} rows`);
    if (!(sigma > 0)) throw new Error(`LinearGaussianModel: sigma must be > 0, got ${sigma}`);
  }

  /** log p(x) = log N(x | b, WWᵀ + σ²I). */
  logMarginal(x: number[]): number {
    const C = matMul(this.W, transpose(this.W)).map((row, i) =>
      row.map((v, j) => v + (i === j ? this.sigma ** 2 : 0)),
    );
    const { inv, logDet } = spdInverseAndLogDet(C);
    const r = x.map((v, i) => v - this.b[i]);
    return -0.5 * (dot(r, matVec(inv, r)) + logDet + this.d * LOG_2PI);
  }

  /** The exact posterior p(z | x). */
  posterior(x: number[]): FullGaussian {
    const s2 = this.sigma ** 2;
    const M = matMul(transpose(this.W), this.W).map((row, i) =>
      row.map((v, j) => v / s2 + (i === j ? 1 : 0)),
    );
    const { inv } = spdInverseAndLogDet(M);
    const r = x.map((v, i) => v - this.b[i]);
    return { mean: matVec(inv, matVec(transpose(this.W), r)).map((v) => v / s2), cov: inv };
  }

  /**
   * ELBO(q) = E_q[log p(x | z)] + E_q[log p(z)] + H(q), in closed form for Gaussian q:
   *   E_q[log p(x|z)] = −(d/2) log 2πσ² − (‖x − b − Wm‖² + tr(WSWᵀ)) / 2σ²,
   *   E_q[log p(z)]  = −(k/2) log 2π − (‖m‖² + tr S) / 2,
   *   H(q)           = (k/2)(1 + log 2π) + ½ log|S|.
   */
  elbo(x: number[], q: FullGaussian): number {
    const { mean: m, cov: S } = q;
    const s2 = this.sigma ** 2;
    const r = x.map((v, i) => v - this.b[i] - dot(this.W[i], m));
    const expLik =
      -0.5 * this.d * Math.log(2 * Math.PI * s2) -
      (dot(r, r) + trace(matMul(matMul(this.W, S), transpose(this.W)))) / (2 * s2);
    const expPrior = -0.5 * this.k * LOG_2PI - 0.5 * (dot(m, m) + trace(S));
    const entropy = 0.5 * this.k * (1 + LOG_2PI) + 0.5 * spdInverseAndLogDet(S).logDet;
    return expLik + expPrior + entropy;
  }

  /** log p(x, z) = log N(x | Wz + b, σ²I) + log N(z | 0, I), for a Monte Carlo ELBO. */
  logJoint(x: number[], z: number[]): number {
    const s2 = this.sigma ** 2;
    const r = x.map((v, i) => v - this.b[i] - dot(this.W[i], z));
    return (
      -0.5 * (dot(r, r) / s2 + this.d * Math.log(2 * Math.PI * s2)) -
      0.5 * (dot(z, z) + this.k * LOG_2PI)
    );
  }
}

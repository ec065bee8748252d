/**
 * Gaussian mixture models fitted by expectation–maximization (EM), in tfjs ops:
 *   E-step  rᵢⱼ = πⱼ N(xᵢ|μⱼ,Σⱼ) / Σₗ πₗ N(xᵢ|μₗ,Σₗ), computed as exp(log-joint − log-sum-exp);
 *   M-step  Nⱼ = Σᵢ rᵢⱼ, πⱼ = Nⱼ/n, μⱼ = Σᵢ rᵢⱼ xᵢ / Nⱼ, Σⱼ = Σᵢ rᵢⱼ (xᵢ−μⱼ)(xᵢ−μⱼ)ᵀ / Nⱼ.
 * Each EM iteration cannot lower the log-likelihood (asserted in tests/unit/stats.test.mjs).
 * Diagonal variances are floored (`varianceFloor`): for pixels that are always 0 the maximum-
 * likelihood variance is 0 and the density infinite; the floored M-step is still the maximizer
 * under that constraint, so EM stays monotone. Full covariances get `ridge`·I.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../book/random';
import { cholesky } from './linalg';
import { gaussianLogDensityDiag, gaussianLogDensityFull, sampleGaussianFull } from './gaussian';
import { inverseCdf, cumulativeDistribution } from './discrete';

export type CovarianceType = 'diag' | 'full';

export interface GaussianMixture {
  k: number;
  d: number;
  covariance: CovarianceType;
  /** Mixing weights πⱼ. */
  weights: Float64Array;
  /** Means, k × d row-major. */
  means: Float32Array;
  /** Diagonal variances, k × d (covariance 'diag'). */
  variances?: Float32Array;
  /** Full covariances, k × d × d (covariance 'full'). */
  covariances?: Float64Array;
}

export interface MStepOptions {
  covariance: CovarianceType;
  /** Smallest variance allowed (diag); default 1e-3. */
  varianceFloor?: number;
  /** Added to the covariance diagonal (full); default 1e-6. */
  ridge?: number;
}

/** log πⱼ + log N(xᵢ | μⱼ, Σⱼ) for every row i and component j: [n, k]. */
export function mixtureLogJoint(x: tf.Tensor2D, gm: GaussianMixture): tf.Tensor2D {
  if (x.shape[1] !== gm.d)
    throw new Error(`mixture: data has ${x.shape[1]} dimensions, the model ${gm.d}`);
  return tf.tidy(() => {
    const logW = tf.tensor1d(Float32Array.from(gm.weights, Math.log));
    if (gm.covariance === 'diag') {
      return gaussianLogDensityDiag(
        x,
        tf.tensor2d(gm.means, [gm.k, gm.d]),
        tf.tensor2d(gm.variances as Float32Array, [gm.k, gm.d]),
      ).add(logW) as tf.Tensor2D;
    }
    const cols: tf.Tensor1D[] = [];
    for (let j = 0; j < gm.k; j++) {
      const cov = (gm.covariances as Float64Array).subarray(j * gm.d * gm.d, (j + 1) * gm.d * gm.d);
      cols.push(
        gaussianLogDensityFull(x, gm.means.subarray(j * gm.d, (j + 1) * gm.d), cholesky(cov, gm.d)),
      );
    }
    return tf.stack(cols, 1).add(logW) as tf.Tensor2D;
  });
}

/** log p(xᵢ) = log Σⱼ πⱼ N(xᵢ|μⱼ,Σⱼ), by log-sum-exp over the components: [n]. */
export function mixtureLogDensity(x: tf.Tensor2D, gm: GaussianMixture): tf.Tensor1D {
  return tf.tidy(() => tf.logSumExp(mixtureLogJoint(x, gm), 1) as tf.Tensor1D);
}

/** E-step: responsibilities rᵢⱼ = p(j | xᵢ) [n, k], and the mean log-likelihood (nats per row) under gm. */
export function eStep(
  x: tf.Tensor2D,
  gm: GaussianMixture,
): { responsibilities: tf.Tensor2D; logLikelihood: number } {
  let logLikelihood = 0;
  const responsibilities = tf.tidy(() => {
    const joint = mixtureLogJoint(x, gm);
    const lse = tf.logSumExp(joint, 1, true);
    logLikelihood = lse.mean().dataSync()[0];
    return tf.exp(joint.sub(lse)) as tf.Tensor2D;
  });
  return { responsibilities, logLikelihood };
}

/** M-step: the parameters maximizing the expected complete-data log-likelihood under `responsibilities`. */
export function mStep(
  x: tf.Tensor2D,
  responsibilities: tf.Tensor2D,
  opts: MStepOptions,
): GaussianMixture {
  const [n, d] = x.shape;
  const k = responsibilities.shape[1];
  const floor = opts.varianceFloor ?? 1e-3;
  const ridge = opts.ridge ?? 1e-6;
  const out = tf.tidy(() => {
    const nk = responsibilities.sum(0).add(1e-10); // Nⱼ (tiny offset: an empty component keeps a finite mean)
    const means = tf.matMul(responsibilities, x, true, false).div(nk.expandDims(1)); // μⱼ = Σᵢ rᵢⱼ xᵢ / Nⱼ
    const res: tf.Tensor[] = [nk.div(n), means];
    if (opts.covariance === 'diag') {
      // vⱼ = Σᵢ rᵢⱼ x² / Nⱼ − μⱼ², floored
      const ex2 = tf.matMul(responsibilities, x.square(), true, false).div(nk.expandDims(1));
      res.push(tf.maximum(ex2.sub(means.square()), floor));
    } else {
      const covs: tf.Tensor[] = [];
      for (let j = 0; j < k; j++) {
        const xc = x.sub(means.slice([j, 0], [1, d]));
        const r = responsibilities.slice([0, j], [n, 1]);
        covs.push(tf.matMul(xc.mul(r), xc, true, false).div(nk.slice([j], [1])));
      }
      res.push(tf.stack(covs));
    }
    return res;
  });
  const [w, mu, cov] = out.map((t) => t.dataSync());
  tf.dispose(out);
  const gm: GaussianMixture = {
    k,
    d,
    covariance: opts.covariance,
    weights: Float64Array.from(w),
    means: Float32Array.from(mu),
  };
  if (opts.covariance === 'diag') gm.variances = Float32Array.from(cov);
  else {
    gm.covariances = Float64Array.from(cov);
    for (let j = 0; j < k; j++)
      for (let i = 0; i < d; i++) gm.covariances[j * d * d + i * d + i] += ridge;
  }
  return gm;
}

/**
 * A starting point: means by k-means++ seeding (each next mean drawn with probability ∝ squared
 * distance to the nearest chosen one), the data's overall (co)variance for every component,
 * equal weights.
 */
export function initGaussianMixture(
  x: tf.Tensor2D,
  k: number,
  opts: MStepOptions & { seed?: number },
): GaussianMixture {
  const [n, d] = x.shape;
  if (k < 1 || k > n)
    throw new Error(
      `initGaussianMixture: k = ${k} must be between 1 and the number of rows (${n})`,
    );
  const rng = new Rng(opts.seed ?? 0);
  const data = x.dataSync();
  const chosen: number[] = [rng.int(n)];
  const minD2 = new Float64Array(n).fill(Infinity);
  while (chosen.length < k) {
    const c = chosen[chosen.length - 1];
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = data[i * d + t] - data[c * d + t];
        s += diff * diff;
      }
      if (s < minD2[i]) minD2[i] = s;
      total += minD2[i];
    }
    let u = rng.uniform() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= minD2[i];
      if (u < 0) {
        pick = i;
        break;
      }
    }
    chosen.push(pick);
  }
  const means = new Float32Array(k * d);
  chosen.forEach((row, j) => means.set(data.subarray(row * d, (row + 1) * d), j * d));
  // one "component" holding every point gives the overall (co)variance
  const ones = tf.ones([n, 1]) as tf.Tensor2D;
  const all = mStep(x, ones, opts);
  ones.dispose();
  const gm: GaussianMixture = {
    k,
    d,
    covariance: opts.covariance,
    weights: new Float64Array(k).fill(1 / k),
    means,
  };
  if (opts.covariance === 'diag') {
    gm.variances = new Float32Array(k * d);
    for (let j = 0; j < k; j++) gm.variances.set(all.variances as Float32Array, j * d);
  } else {
    gm.covariances = new Float64Array(k * d * d);
    for (let j = 0; j < k; j++) gm.covariances.set(all.covariances as Float64Array, j * d * d);
  }
  return gm;
}

export interface FitGaussianMixtureOptions extends MStepOptions {
  k: number;
  iterations?: number;
  /** Stop when the mean log-likelihood improves by less than this (nats per row); default 1e-5. */
  tolerance?: number;
  seed?: number;
  init?: GaussianMixture;
  /** Called with the model of each iteration (0 = the initial one) and its mean log-likelihood. */
  onIteration?: (iteration: number, gm: GaussianMixture, logLikelihood: number) => void;
}

/**
 * EM from k-means++ seeding (or `init`). Returns the fitted model and the mean log-likelihood of
 * every model visited, logLikelihoods[t] being that of the model after t iterations.
 */
export function fitGaussianMixture(
  x: tf.Tensor2D,
  opts: FitGaussianMixtureOptions,
): { model: GaussianMixture; logLikelihoods: number[] } {
  let gm = opts.init ?? initGaussianMixture(x, opts.k, opts);
  const iterations = opts.iterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-5;
  const logLikelihoods: number[] = [];
  for (let t = 0; ; t++) {
    const { responsibilities, logLikelihood } = eStep(x, gm);
    logLikelihoods.push(logLikelihood);
    opts.onIteration?.(t, gm, logLikelihood);
    const converged = t > 0 && logLikelihood - logLikelihoods[t - 1] < tolerance;
    if (t === iterations || converged || !Number.isFinite(logLikelihood)) {
      responsibilities.dispose();
      if (!Number.isFinite(logLikelihood))
        throw new Error(
          `EM: the log-likelihood became ${logLikelihood} at iteration ${t}; raise varianceFloor or ridge`,
        );
      return { model: gm, logLikelihoods };
    }
    gm = mStep(x, responsibilities, opts);
    responsibilities.dispose();
  }
}

/** `n` samples: a component j ~ π by inverse CDF, then x ~ N(μⱼ, Σⱼ). */
export function sampleGaussianMixture(
  gm: GaussianMixture,
  n: number,
  rng: Rng,
): { x: Float32Array; component: Int32Array } {
  const cdf = cumulativeDistribution(
    Array.from(gm.weights, (w) => w / gm.weights.reduce((a, b) => a + b, 0)),
  );
  const x = new Float32Array(n * gm.d);
  const component = new Int32Array(n);
  const factors =
    gm.covariance === 'full'
      ? Array.from({ length: gm.k }, (_, j) =>
          cholesky(
            (gm.covariances as Float64Array).subarray(j * gm.d * gm.d, (j + 1) * gm.d * gm.d),
            gm.d,
          ),
        )
      : [];
  for (let s = 0; s < n; s++) {
    const j = inverseCdf(cdf, rng.uniform());
    component[s] = j;
    const mu = gm.means.subarray(j * gm.d, (j + 1) * gm.d);
    if (gm.covariance === 'diag') {
      const v = (gm.variances as Float32Array).subarray(j * gm.d, (j + 1) * gm.d);
      for (let t = 0; t < gm.d; t++) x[s * gm.d + t] = mu[t] + Math.sqrt(v[t]) * rng.normal();
    } else {
      x.set(sampleGaussianFull(mu, factors[j], 1, rng), s * gm.d);
    }
  }
  return { x, component };
}

/** Free parameters: (k − 1) weights + k·d means + k·d variances (diag) or k·d(d+1)/2 covariances (full). */
export function mixtureParameterCount(gm: Pick<GaussianMixture, 'k' | 'd' | 'covariance'>): number {
  const cov = gm.covariance === 'diag' ? gm.d : (gm.d * (gm.d + 1)) / 2;
  return gm.k - 1 + gm.k * gm.d + gm.k * cov;
}

/** Bayesian information criterion: −2·(total log-likelihood) + (parameters)·ln n. Lower is better. */
export function bic(meanLogLikelihood: number, n: number, parameters: number): number {
  return -2 * n * meanLogLikelihood + parameters * Math.log(n);
}

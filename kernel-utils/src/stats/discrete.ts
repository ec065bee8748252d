/** Discrete distributions: inverse-CDF sampling, entropy, KL divergence, log-sum-exp (all in nats). */
import { Rng } from '../book/random';

/** The cumulative sums of `probs` (which must be ≥ 0 and sum to 1 within 1e-9). */
export function cumulativeDistribution(probs: ArrayLike<number>): number[] {
  let total = 0;
  const cdf: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    if (!(probs[i] >= 0))
      throw new Error(`probability ${i} is ${probs[i]}; probabilities must be ≥ 0`);
    total += probs[i];
    cdf.push(total);
  }
  if (Math.abs(total - 1) > 1e-9) throw new Error(`probabilities sum to ${total}, not 1`);
  return cdf;
}

/** Inverse-CDF sampling: the first category i with u < F(i), for u uniform in [0, 1). */
export function inverseCdf(cdf: ArrayLike<number>, u: number): number {
  for (let i = 0; i < cdf.length; i++) if (u < cdf[i]) return i;
  return cdf.length - 1;
}

/** `n` draws from a categorical distribution by inverse-CDF sampling. */
export function sampleCategorical(probs: ArrayLike<number>, n: number, rng: Rng): Int32Array {
  const cdf = cumulativeDistribution(probs);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = inverseCdf(cdf, rng.uniform());
  return out;
}

/** Empirical frequencies of categories 0..k-1. */
export function frequencies(samples: ArrayLike<number>, k: number): number[] {
  const counts = new Array(k).fill(0);
  for (let i = 0; i < samples.length; i++) counts[samples[i]]++;
  return counts.map((c) => c / Math.max(1, samples.length));
}

/** Entropy H(p) = −Σ p log p (nats; 0 log 0 = 0). */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Cross-entropy H(p, q) = −Σ p log q (nats); Infinity where q = 0 < p. */
export function crossEntropy(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`crossEntropy: ${p.length} vs ${q.length} categories`);
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(q[i]);
  return h;
}

/** KL(p ‖ q) = Σ p log(p/q) = H(p, q) − H(p) (nats); Infinity where q = 0 < p. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error(`klDivergence: ${p.length} vs ${q.length} categories`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) kl += p[i] * Math.log(p[i] / q[i]);
  return kl;
}

/** log Σ exp(a_i), computed stably as m + log Σ exp(a_i − m) with m = max a. */
export function logSumExp(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.exp(a[i] - m);
  return m + Math.log(s);
}

/**
 * Scores computed from a classifier's or an image–text model's outputs.
 *  - Inception Score (IS): exp(E_x KL(p(y|x) ‖ p(y))), over `splits` equal parts (the original
 *    code's `preds[i·N/splits : (i+1)·N/splits]`), mean and standard deviation over the parts.
 *  - Conditional accuracy: how often the classifier agrees with the label a conditional
 *    generator was asked for.
 *  - CLIP-score (Hessel et al. 2021): w · max(cos(image embedding, text embedding), 0), w = 2.5.
 */
import { Matrix, assertFinite } from '../stats/linalg';

/** Splits for n samples: 10 as the original code, but none under 100 samples (IS of 2 samples means little). */
export function inceptionSplits(n: number): number {
  return Math.max(1, Math.min(10, Math.floor(n / 100)));
}

export function inceptionScore(
  probs: Matrix,
  opts: { splits?: number } = {},
): { mean: number; std: number; splits: number } {
  assertFinite(probs, 'class probabilities');
  const splits = opts.splits ?? 10;
  const { data, rows: n, cols: c } = probs;
  if (!Number.isInteger(splits) || splits < 1 || splits > n)
    throw new Error(`inceptionScore: splits must be an integer in 1…${n}, got ${splits}`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const p = data[i * c + j];
      if (p < 0) throw new Error(`inceptionScore: row ${i} has a negative probability ${p}`);
      s += p;
    }
    if (Math.abs(s - 1) > 1e-3)
      throw new Error(`inceptionScore: row ${i} sums to ${s}, not 1 (pass softmax outputs)`);
  }
  const scores: number[] = [];
  for (let s = 0; s < splits; s++) {
    const a = Math.floor((s * n) / splits);
    const b = Math.floor(((s + 1) * n) / splits);
    const marginal = new Float64Array(c);
    for (let i = a; i < b; i++) for (let j = 0; j < c; j++) marginal[j] += data[i * c + j];
    for (let j = 0; j < c; j++) marginal[j] /= b - a;
    let kl = 0;
    for (let i = a; i < b; i++) {
      for (let j = 0; j < c; j++) {
        const p = data[i * c + j];
        if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[j]));
      }
    }
    scores.push(Math.exp(kl / (b - a)));
  }
  const mean = scores.reduce((x, y) => x + y, 0) / splits;
  const std = Math.sqrt(scores.reduce((x, y) => x + (y - mean) ** 2, 0) / splits);
  return { mean, std, splits };
}

/** Share of samples whose most probable class equals the requested label. */
export function conditionalAccuracy(probs: Matrix, labels: ArrayLike<number>): number {
  const { data, rows: n, cols: c } = probs;
  if (labels.length !== n)
    throw new Error(`conditionalAccuracy: ${labels.length} labels for ${n} samples`);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= c)
      throw new Error(`conditionalAccuracy: label ${i} is ${y}, not a class in 0…${c - 1}`);
    let best = 0;
    for (let j = 1; j < c; j++) if (data[i * c + j] > data[i * c + best]) best = j;
    if (best === y) hits++;
  }
  return hits / n;
}

/** CLIP-score of each (image, text) embedding pair, and their mean. Embeddings need not be normalized. */
export function clipScore(
  imageEmb: Matrix,
  textEmb: Matrix,
  opts: { w?: number } = {},
): { mean: number; scores: Float64Array } {
  const w = opts.w ?? 2.5;
  if (imageEmb.rows !== textEmb.rows || imageEmb.cols !== textEmb.cols)
    throw new Error(
      `clipScore: image embeddings ${imageEmb.rows}×${imageEmb.cols} and text embeddings ${textEmb.rows}×${textEmb.cols} differ in shape`,
    );
  const { rows: n, cols: e } = imageEmb;
  const scores = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let dotp = 0,
      na = 0,
      nb = 0;
    for (let j = 0; j < e; j++) {
      const a = imageEmb.data[i * e + j],
        b = textEmb.data[i * e + j];
      dotp += a * b;
      na += a * a;
      nb += b * b;
    }
    const cos = dotp / Math.sqrt(na * nb);
    scores[i] = w * Math.max(cos, 0);
    sum += scores[i];
  }
  return { mean: sum / n, scores };
}

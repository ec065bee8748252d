/**
 * Binarized images for Bernoulli models. Static binarization thresholds once (the same binary
 * digits every epoch: thresholded digits are easier to model, so their NLLs are not comparable
 * with dynamically binarized ones); dynamic binarization draws x_b ~ Bernoulli(x) afresh.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../book/random';

/** 1 where the pixel is above `threshold` (default 0.5), else 0. */
export function staticBinarize(pixels: Float32Array, threshold = 0.5): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] > threshold ? 1 : 0;
  return out;
}

/** One Bernoulli draw per pixel with probability equal to its intensity, from a seeded stream. */
export function dynamicBinarize(pixels: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = rng.uniform() < pixels[i] ? 1 : 0;
  return out;
}

/** Dynamic binarization of a tensor batch, for use inside a training step: 1[u < x], u ~ U(0, 1). */
export function bernoulliSample(probs: tf.Tensor, seed?: number): tf.Tensor {
  return tf.tidy(() =>
    tf.cast(tf.less(tf.randomUniform(probs.shape, 0, 1, 'float32', seed), probs), 'float32'),
  );
}

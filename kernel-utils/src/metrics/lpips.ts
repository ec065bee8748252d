/**
 * An LPIPS-style perceptual distance (Zhang et al. 2018) from a network's convolutional
 * activations: for each layer l, unit-normalize the feature vector at every position over
 * channels, take the squared difference, weight the channels by w_l (ones: LPIPS's untrained
 * "baseline"; the published LPIPS learns w from human judgements, which this book does not
 * have), average over positions and sum over layers:
 *   d(x, y) = Σ_l (1/H_lW_l) Σ_{h,w} Σ_c w_lc (x̂ˡ_hwc − ŷˡ_hwc)²   with  x̂ = f / (‖f‖₂ + 1e-10).
 */
import * as tf from '@tensorflow/tfjs';

/** Per-pair distances between two lists of NHWC activations (same shapes, one tensor per layer). */
export function lpipsStyleDistance(
  actsA: tf.Tensor4D[],
  actsB: tf.Tensor4D[],
  weights?: (Float32Array | number[])[],
): Float32Array {
  if (actsA.length !== actsB.length || actsA.length === 0)
    throw new Error(
      `lpipsStyleDistance: ${actsA.length} and ${actsB.length} layers; need the same positive number`,
    );
  const total = tf.tidy(() => {
    let sum: tf.Tensor1D | null = null;
    actsA.forEach((a, l) => {
      const b = actsB[l];
      if (a.shape.join() !== b.shape.join())
        throw new Error(`lpipsStyleDistance: layer ${l} shapes differ (${a.shape} vs ${b.shape})`);
      const unit = (f: tf.Tensor4D) => f.div(f.square().sum(-1, true).sqrt().add(1e-10));
      let diff = unit(a).sub(unit(b)).square();
      const w = weights?.[l];
      if (w) {
        if (w.length !== a.shape[3])
          throw new Error(
            `lpipsStyleDistance: layer ${l} has ${a.shape[3]} channels but ${w.length} weights`,
          );
        diff = diff.mul(tf.tensor1d(Float32Array.from(w)));
      }
      const layer = diff.sum(-1).mean([1, 2]) as tf.Tensor1D;
      sum = sum ? (sum.add(layer) as tf.Tensor1D) : layer;
    });
    return sum as unknown as tf.Tensor1D;
  });
  const out = total.dataSync() as Float32Array;
  total.dispose();
  return Float32Array.from(out);
}

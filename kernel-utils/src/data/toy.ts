/** Seeded 2-D toy data sets: two moons, a ring of Gaussians, Gaussian blobs. */
import { Rng } from '../book/random';

export interface Toy2D {
  /** n × 2 coordinates, row-major. */
  x: Float32Array;
  /** Component or class of each point. */
  y: Int32Array;
  n: number;
}

/** Two interleaving half circles (as in scikit-learn's make_moons), with Gaussian noise of std `noise`. */
export function makeMoons(n: number, noise = 0.1, seed = 0): Toy2D {
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  const nOuter = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    const outer = i < nOuter;
    const k = outer ? i : i - nOuter;
    const m = outer ? nOuter : n - nOuter;
    const t = (Math.PI * k) / Math.max(1, m - 1);
    x[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + noise * rng.normal();
    x[2 * i + 1] = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * rng.normal();
    y[i] = outer ? 0 : 1;
  }
  return { x, y, n };
}

/** `k` Gaussians of std `std` evenly spaced on a circle of `radius` (the classic mode-collapse test). */
export function makeRing(n: number, k = 8, radius = 2, std = 0.05, seed = 0): Toy2D {
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    const a = (2 * Math.PI * c) / k;
    x[2 * i] = radius * Math.cos(a) + std * rng.normal();
    x[2 * i + 1] = radius * Math.sin(a) + std * rng.normal();
    y[i] = c;
  }
  return { x, y, n };
}

/** Isotropic Gaussian blobs around `centers` ([[x, y], …]), each point's center drawn uniformly. */
export function makeBlobs(
  n: number,
  centers: [number, number][] = [
    [-2, 0],
    [2, 0],
    [0, 2.5],
  ],
  std = 0.6,
  seed = 0,
): Toy2D {
  if (centers.length === 0) throw new Error('makeBlobs: centers must not be empty');
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(centers.length);
    x[2 * i] = centers[c][0] + std * rng.normal();
    x[2 * i + 1] = centers[c][1] + std * rng.normal();
    y[i] = c;
  }
  return { x, y, n };
}

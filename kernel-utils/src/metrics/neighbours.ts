/**
 * Nearest-neighbour metrics on features: improved precision and recall (Kynkäänniemi et al.
 * 2019) and density and coverage (Naeem et al. 2020). Every point gets a ball whose radius is
 * the distance to its k-th nearest neighbour in its own set; the metrics count which points of
 * the other set fall inside which balls.
 *
 * Distances come from one matrix product per block of rows on the active tfjs backend
 * (‖x−y‖² = ‖x‖² + ‖y‖² − 2x·y, float32 products, float64 norms), so 10,000 × 10,000 pairs are
 * never held at once: each pass streams blocks of `blockRows` rows.
 */
import * as tf from '@tensorflow/tfjs';
import { Matrix, assertFinite } from '../stats/linalg';

/** float32 data as it is (tfjs copies it into the backend anyway); float64 converted. */
function asFloat32(a: Float32Array | Float64Array): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}

function rowNorms(X: Matrix): Float64Array {
  const { data, rows, cols } = X;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += data[o + j] * data[o + j];
    out[i] = s;
  }
  return out;
}

/**
 * Call `visit(start, count, d2)` with squared distances between rows start…start+count−1 of X and
 * every row of Y (d2 is count×Y.rows, row-major, ≥ 0). With `same` (X is Y) the diagonal is 0.
 */
export function forEachSquaredDistanceBlock(
  X: Matrix,
  Y: Matrix,
  visit: (start: number, count: number, d2: Float32Array) => void,
  opts: { blockRows?: number; same?: boolean } = {},
): void {
  if (X.cols !== Y.cols)
    throw new Error(`distances: feature dimensions differ (${X.cols} vs ${Y.cols})`);
  const d = X.cols;
  const m = Y.rows;
  const block = opts.blockRows ?? Math.max(1, Math.min(X.rows, Math.floor(4_000_000 / m)));
  const nx = rowNorms(X);
  const ny = rowNorms(Y);
  const yt = tf.tidy(() => tf.tensor2d(asFloat32(Y.data), [m, d]).transpose());
  try {
    for (let start = 0; start < X.rows; start += block) {
      const count = Math.min(block, X.rows - start);
      const prod = tf.tidy(() =>
        tf.matMul(
          tf.tensor2d(asFloat32(X.data.subarray(start * d, (start + count) * d)), [count, d]),
          yt,
        ),
      );
      const d2 = prod.dataSync() as Float32Array;
      prod.dispose();
      for (let i = 0; i < count; i++) {
        const o = i * m;
        const xi = nx[start + i];
        for (let j = 0; j < m; j++) {
          const v = xi + ny[j] - 2 * d2[o + j];
          d2[o + j] = v > 0 ? v : 0;
        }
        if (opts.same) d2[o + start + i] = 0;
      }
      visit(start, count, d2);
    }
  } finally {
    yt.dispose();
  }
}

/**
 * Squared radius of each point's ball: the squared distance to its k-th nearest neighbour in its
 * own set, not counting itself (the (k+1)-th smallest distance counting itself at 0, as prdc's
 * `np.partition(d, k)[:, k]`).
 */
export function kthNeighbourSquaredRadii(X: Matrix, k: number): Float64Array {
  checkNeighbourCount(X, k, 'features');
  const radii = new Float64Array(X.rows);
  const best = new Float64Array(k + 1);
  forEachSquaredDistanceBlock(
    X,
    X,
    (start, count, d2) => {
      const m = X.rows;
      for (let i = 0; i < count; i++) {
        best.fill(Infinity);
        const o = i * m;
        for (let j = 0; j < m; j++) {
          const v = d2[o + j];
          if (v < best[k]) {
            let p = k;
            while (p > 0 && best[p - 1] > v) {
              best[p] = best[p - 1];
              p--;
            }
            best[p] = v;
          }
        }
        radii[start + i] = best[k];
      }
    },
    { same: true },
  );
  return radii;
}

/** k must be a positive integer and `X` must have at least k + 1 rows (a point and k neighbours). */
export function checkNeighbourCount(X: Matrix, k: number, name: string): void {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
  if (X.rows < k + 1)
    throw new Error(
      `${name}: ${X.rows} samples are too few for k = ${k} (need at least k + 1 = ${k + 1})`,
    );
}

export interface PrdcResult {
  precision: number;
  recall: number;
  density: number;
  coverage: number;
}

/**
 * Precision, recall, density and coverage of `fake` against `real` with k nearest neighbours.
 *  - precision: share of fake points inside at least one real ball (distance ≤ radius);
 *  - recall: share of real points inside at least one fake ball (≤);
 *  - density: (1/k) · mean over fakes of the number of real balls containing it (strict <);
 *  - coverage: share of real points whose nearest fake lies inside their ball (strict <).
 * ≤ follows Kynkäänniemi et al.'s code, < follows prdc's; they differ only on exact ties.
 * `realRadii` (from kthNeighbourSquaredRadii) can be passed to reuse the real set's balls.
 */
export function precisionRecallDensityCoverage(
  real: Matrix,
  fake: Matrix,
  opts: { k?: number; realRadii?: Float64Array } = {},
): PrdcResult {
  const k = opts.k ?? 5;
  assertFinite(real, 'real features');
  assertFinite(fake, 'fake features');
  checkNeighbourCount(real, k, 'real features');
  checkNeighbourCount(fake, k, 'fake features');
  const rReal = opts.realRadii ?? kthNeighbourSquaredRadii(real, k);
  if (rReal.length !== real.rows)
    throw new Error(`realRadii: ${rReal.length} radii for ${real.rows} real samples`);
  const rFake = kthNeighbourSquaredRadii(fake, k);
  const m = real.rows;
  const nearestFake = new Float64Array(m).fill(Infinity);
  const realInFakeBall = new Uint8Array(m);
  let fakeInRealBall = 0;
  let ballsContaining = 0;
  forEachSquaredDistanceBlock(fake, real, (start, count, d2) => {
    for (let i = 0; i < count; i++) {
      const o = i * m;
      const rf = rFake[start + i];
      let inside = false;
      let balls = 0;
      for (let j = 0; j < m; j++) {
        const v = d2[o + j];
        const rr = rReal[j];
        if (v <= rr) inside = true;
        if (v < rr) balls++;
        if (v < nearestFake[j]) nearestFake[j] = v;
        if (v <= rf) realInFakeBall[j] = 1;
      }
      if (inside) fakeInRealBall++;
      ballsContaining += balls;
    }
  });
  let recalled = 0,
    covered = 0;
  for (let j = 0; j < m; j++) {
    recalled += realInFakeBall[j];
    if (nearestFake[j] < rReal[j]) covered++;
  }
  return {
    precision: fakeInRealBall / fake.rows,
    recall: recalled / m,
    density: ballsContaining / (k * fake.rows),
    coverage: covered / m,
  };
}

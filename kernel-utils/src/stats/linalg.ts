/**
 * The book's one linear-algebra module, float64 in plain JS (typed arrays, row-major): means,
 * covariances named by their divisor (mleCovariance: n, sampleCovariance: n − 1), Cholesky
 * factors and triangular inverses, small dense matrices for exact models, a rank-revealing (pivoted) Cholesky factor, and the eigenvalues of a
 * symmetric matrix (Householder tridiagonalization + implicit QL). Float64 throughout: FID is a
 * difference of traces of size ~tr Σ, and float32 rounding in a covariance's null space would
 * come back, square-rooted, as a visible error.
 */

/** Row-major n×d data, float32 or float64. */
import * as tf from '@tensorflow/tfjs';

/** The mean of a list of numbers. */
export function mean(a: ArrayLike<number>): number {
  if (a.length === 0) throw new Error('mean: the list is empty');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

export interface Matrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

export function matrix(
  data: Float32Array | Float64Array,
  rows: number,
  cols: number,
  name = 'matrix',
): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    throw new Error(`${name}: shape ${rows}×${cols} is not a positive integer shape`);
  if (data.length !== rows * cols)
    throw new Error(`${name}: ${data.length} values do not fill ${rows}×${cols}`);
  return { data, rows, cols };
}

/** Throw naming `name` and the first row with a NaN or infinite value. */
export function assertFinite(m: Matrix, name: string): void {
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new Error(
        `${name}: row ${Math.floor(i / cols)}, column ${i % cols} is ${data[i]}; features must be finite`,
      );
  }
}

/** Column means of X (n×d). */
export function columnMeans(X: Matrix): Float64Array {
  const { data, rows: n, cols: d } = X;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mu[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/**
 * Mean and sample covariance (unbiased, divisor n − 1, as numpy.cov) of the rows of X (n×d). The product
 * XcᵀXc is accumulated in panels of rows transposed to columns, 2×2 entries at a time.
 */
export function sampleCovariance(X: Matrix): { mean: Float64Array; covariance: Float64Array } {
  const { data, rows: n, cols: d } = X;
  if (n < 2) throw new Error(`sampleCovariance: needs at least 2 rows, got ${n}`);
  const mean = columnMeans(X);
  const cov = new Float64Array(d * d);
  const B = 128;
  const panel = new Float64Array(d * B); // panel[j*B + t] = Xc[row0 + t][j]
  for (let row0 = 0; row0 < n; row0 += B) {
    const m = Math.min(B, n - row0);
    panel.fill(0);
    for (let t = 0; t < m; t++) {
      const o = (row0 + t) * d;
      for (let j = 0; j < d; j++) panel[j * B + t] = data[o + j] - mean[j];
    }
    // Upper triangle, 2×2 blocks; odd d handled by the scalar edge below.
    const d2 = d - (d % 2);
    for (let i = 0; i < d2; i += 2) {
      const pi0 = i * B;
      const pi1 = pi0 + B;
      for (let j = i; j < d2; j += 2) {
        const pj0 = j * B;
        const pj1 = pj0 + B;
        let s00 = 0,
          s01 = 0,
          s10 = 0,
          s11 = 0;
        for (let t = 0; t < m; t++) {
          const a0 = panel[pi0 + t],
            a1 = panel[pi1 + t],
            b0 = panel[pj0 + t],
            b1 = panel[pj1 + t];
          s00 += a0 * b0;
          s01 += a0 * b1;
          s10 += a1 * b0;
          s11 += a1 * b1;
        }
        cov[i * d + j] += s00;
        cov[i * d + j + 1] += s01;
        cov[(i + 1) * d + j] += s10;
        cov[(i + 1) * d + j + 1] += s11;
      }
    }
    if (d2 < d) {
      const last = d - 1;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let t = 0; t < m; t++) s += panel[i * B + t] * panel[last * B + t];
        cov[i * d + last] += s;
      }
    }
  }
  const scale = 1 / (n - 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      // (i+1, i) was accumulated inside the 2×2 block on the diagonal; use the upper value.
      const v = cov[i * d + j] * scale;
      cov[i * d + j] = v;
      cov[j * d + i] = v;
    }
  }
  return { mean, covariance: cov };
}

/**
 * Pivoted (rank-revealing) Cholesky of a symmetric positive semi-definite d×d matrix S:
 * S ≈ F Fᵀ with F d×r, stopping when every remaining pivot is ≤ tol (LAPACK dpstrf's default,
 * d·ε·max diag). Returns F's columns. A singular covariance (n ≤ d samples, dead features) gives
 * r < d exactly instead of an error or a made-up jitter.
 */
export function pivotedCholesky(
  S: Float64Array,
  d: number,
  tol?: number,
): { columns: Float64Array[]; rank: number } {
  if (S.length !== d * d) throw new Error(`pivotedCholesky: ${S.length} values are not ${d}×${d}`);
  const diag = new Float64Array(d);
  let maxDiag = 0;
  for (let i = 0; i < d; i++) {
    diag[i] = S[i * d + i];
    if (diag[i] > maxDiag) maxDiag = diag[i];
  }
  const threshold = tol ?? d * 2.220446049250313e-16 * maxDiag;
  // rows[i][0..k) holds row i of the factor so far (columns in pivot order): the update of
  // column k is one contiguous dot product per row.
  const rows: Float64Array[] = [];
  for (let i = 0; i < d; i++) rows.push(new Float64Array(d));
  const used = new Uint8Array(d);
  let k = 0;
  for (; k < d; k++) {
    let p = -1;
    let best = threshold;
    for (let i = 0; i < d; i++)
      if (!used[i] && diag[i] > best) {
        best = diag[i];
        p = i;
      }
    if (p < 0) break;
    used[p] = 1;
    const piv = Math.sqrt(diag[p]);
    const rp = rows[p];
    rp[k] = piv;
    const o = p * d;
    for (let i = 0; i < d; i++) {
      if (used[i]) continue;
      const ri = rows[i];
      let s0 = 0,
        s1 = 0;
      let j = 0;
      for (; j + 1 < k; j += 2) {
        s0 += ri[j] * rp[j];
        s1 += ri[j + 1] * rp[j + 1];
      }
      if (j < k) s0 += ri[j] * rp[j];
      const v = (S[o + i] - s0 - s1) / piv;
      ri[k] = v;
      diag[i] -= v * v;
    }
  }
  // Columns of F (d×rank), for the products that follow.
  const columns: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const col = new Float64Array(d);
    for (let i = 0; i < d; i++) col[i] = rows[i][c];
    columns.push(col);
  }
  return { columns, rank: k };
}

/**
 * All dot products between two lists of equal-length vectors: out[a][b] = A[a]·B[b], as rows.
 * 2×2 blocks of pairs share their loads. With `symmetric` (A === B) only a ≤ b is computed.
 */
export function crossDots(A: Float64Array[], B: Float64Array[], symmetric = false): Float64Array[] {
  const ra = A.length,
    rb = B.length;
  const out = A.map(() => new Float64Array(rb));
  if (ra === 0 || rb === 0) return out;
  const L = A[0].length;
  for (let a = 0; a < ra; a += 2) {
    const a0 = A[a],
      a1 = a + 1 < ra ? A[a + 1] : A[a];
    for (let b = symmetric ? a : 0; b < rb; b += 2) {
      const b0 = B[b],
        b1 = b + 1 < rb ? B[b + 1] : B[b];
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0;
      for (let t = 0; t < L; t++) {
        const x0 = a0[t],
          x1 = a1[t],
          y0 = b0[t],
          y1 = b1[t];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      out[a][b] = s00;
      if (b + 1 < rb) out[a][b + 1] = s01;
      if (a + 1 < ra) {
        out[a + 1][b] = s10;
        if (b + 1 < rb) out[a + 1][b + 1] = s11;
      }
    }
  }
  if (symmetric) for (let a = 0; a < ra; a++) for (let b = 0; b < a; b++) out[a][b] = out[b][a];
  return out;
}

/** G = C Cᵀ for C given as r row vectors (r×r, symmetric, row-major). */
export function gramOfRows(rows: Float64Array[]): Float64Array {
  const r = rows.length;
  const G = new Float64Array(r * r);
  crossDots(rows, rows, true).forEach((row, i) => G.set(row, i * r));
  return G;
}

/**
 * Eigenvalues of a symmetric n×n matrix (row-major; the array is overwritten), ascending.
 * Householder reduction to tridiagonal form (Numerical Recipes' tred2 on the lower triangle,
 * row access only), then the implicit QL algorithm with Wilkinson shifts (tqli).
 */
export function symmetricEigenvalues(A: Float64Array, n: number): Float64Array {
  if (A.length !== n * n)
    throw new Error(`symmetricEigenvalues: ${A.length} values are not ${n}×${n}`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const ri = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(A[ri + k]);
      if (scale === 0) {
        e[i] = A[ri + l];
      } else {
        for (let k = 0; k < i; k++) {
          A[ri + k] /= scale;
          h += A[ri + k] * A[ri + k];
        }
        let f = A[ri + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        A[ri + l] = f - g;
        // p = A[0:i,0:i] u / h from the lower triangle alone (each stored entry used twice).
        for (let j = 0; j < i; j++) e[j] = 0;
        for (let j = 0; j < i; j++) {
          const rj = j * n;
          const uj = A[ri + j];
          let s = 0;
          for (let k = 0; k < j; k++) {
            const a = A[rj + k];
            s += a * A[ri + k];
            e[k] += a * uj;
          }
          e[j] += s + A[rj + j] * uj;
        }
        f = 0;
        for (let j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * A[ri + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) e[j] -= hh * A[ri + j];
        // A ← A − u qᵀ − q uᵀ on the lower triangle of the leading i×i block.
        for (let j = 0; j < i; j++) {
          const rj = j * n;
          const uj = A[ri + j];
          const qj = e[j];
          for (let k = 0; k <= j; k++) A[rj + k] -= uj * e[k] + qj * A[ri + k];
        }
      }
    } else {
      e[i] = A[ri + l];
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i];
  // tqli on (d, e): e[i] is the sub-diagonal element between i−1 and i; shift it to e[i−1].
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= 2.220446049250313e-16 * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60)
          throw new Error('symmetricEigenvalues: QL did not converge in 60 iterations');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1,
          c = 1,
          p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = 0;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d.sort();
}

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

/**
 * The maximum-likelihood mean and covariance of the rows of x (divisor n:
 * Σ̂ = (1/n) Σᵢ (xᵢ − μ̂)(xᵢ − μ̂)ᵀ), plus `ridge`·I on the diagonal. See sampleCovariance for
 * the unbiased one (divisor n − 1).
 */
export function mleCovariance(
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

// --- small dense matrices as arrays of rows (the exact models of chapter 07) ---------------------

/** A small dense matrix as an array of rows. */

export type Mat = number[][];
export const matMul = (A: Mat, B: Mat): Mat =>
  A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
export const transpose = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
export const flat = (A: Mat) => A.flat();
export /** The inverse and log-determinant of a symmetric positive definite A, through its Cholesky factor. */
function spdInverseAndLogDet(A: Mat): { inv: Mat; logDet: number } {
  const n = A.length;
  const L = cholesky(flat(A), n);
  const Li = invertLowerTriangular(L, n);
  const inv: Mat = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let k = Math.max(i, j); k < n; k++) s += Li[k * n + i] * Li[k * n + j]; // (L⁻ᵀ L⁻¹)ᵢⱼ
      return s;
    }),
  );
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L[i * n + i]);
  return { inv, logDet };
}
export const trace = (A: Mat) => A.reduce((s, row, i) => s + row[i], 0);
export const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
export const matVec = (A: Mat, v: number[]) => A.map((row) => dot(row, v));

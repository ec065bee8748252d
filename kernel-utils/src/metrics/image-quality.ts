/**
 * Full-reference image-quality metrics for image restoration (denoising, deblurring,
 * super-resolution, inpainting) and no-reference colour metrics for colorization, on plain typed
 * arrays (no tensors):
 *  - PSNR: 10·log10(R² / MSE), R the data range (scikit-image's `peak_signal_noise_ratio`);
 *  - SSIM (Wang et al. 2004) exactly as scikit-image's `structural_similarity` with its defaults
 *    (0.19+, `gaussian_weights=False`): 7×7 uniform window, K1 = 0.01, K2 = 0.03, sample
 *    covariances, mean over the windows that lie fully inside the image;
 *  - colorfulness (Hasler & Süsstrunk 2003) and mean HSV saturation of RGB images.
 * All sums are in float64 whatever the input's type.
 */

/** A grayscale or RGB image (or several stored one after another) as plain numbers. */
export type PixelArray = Float32Array | Float64Array;

/** Options of {@link ssim} and {@link ssimPerImage}. */
export interface SsimOptions {
  /** Side of the square uniform window: odd, ≥ 3 and ≤ min(height, width). Default 7. */
  winSize?: number;
  /** R, the range the pixel values can span (max − min possible). Default 1 (images in [0,1]). */
  dataRange?: number;
}

function checkArray(fn: string, name: string, a: unknown): asserts a is PixelArray {
  if (!(a instanceof Float32Array) && !(a instanceof Float64Array))
    throw new Error(`${fn}: ${name} must be a Float32Array or Float64Array`);
}

function checkFinite(fn: string, name: string, a: PixelArray): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`${fn}: ${name}[${i}] is ${a[i]}, not finite`);
  }
}

function checkPositiveInt(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`${fn}: ${name} must be a positive integer, got ${v}`);
}

function checkDataRange(fn: string, dataRange: number): void {
  if (!Number.isFinite(dataRange) || dataRange <= 0)
    throw new Error(`${fn}: dataRange must be a positive finite number, got ${dataRange}`);
}

/** Both arrays typed, finite and of the same length, a multiple of `per` (values per image). */
function checkPair(
  fn: string,
  reference: PixelArray,
  test: PixelArray,
  n: number,
  per: number,
  shape: string,
): void {
  checkArray(fn, 'reference', reference);
  checkArray(fn, 'test', test);
  if (reference.length !== test.length)
    throw new Error(
      `${fn}: reference has ${reference.length} values and test ${test.length}; they must match`,
    );
  if (reference.length !== n * per)
    throw new Error(
      `${fn}: reference and test have ${reference.length} values, not ${shape} = ${n * per}`,
    );
  checkFinite(fn, 'reference', reference);
  checkFinite(fn, 'test', test);
}

/** 10·log10(R² / mse), Infinity when mse = 0. */
function psnrOf(
  reference: PixelArray,
  test: PixelArray,
  start: number,
  len: number,
  dataRange: number,
): number {
  let sse = 0;
  for (let i = start; i < start + len; i++) {
    const d = reference[i] - test[i];
    sse += d * d;
  }
  const mse = sse / len;
  return mse === 0 ? Infinity : 10 * Math.log10((dataRange * dataRange) / mse);
}

/**
 * Peak signal-to-noise ratio of one image `test` against `reference` (any length, any layout):
 * PSNR = 10·log10(R² / MSE), MSE = mean((reference − test)²), R = `dataRange` (1 for images in
 * [0,1], 255 for bytes). In dB; Infinity for identical images. As scikit-image's
 * `peak_signal_noise_ratio(reference, test, data_range=R)`.
 */
export function psnr(reference: PixelArray, test: PixelArray, dataRange = 1): number {
  checkDataRange('psnr', dataRange);
  checkArray('psnr', 'reference', reference);
  if (reference.length === 0) throw new Error('psnr: reference is empty');
  checkPair('psnr', reference, test, 1, reference.length, 'the same length');
  return psnrOf(reference, test, 0, reference.length, dataRange);
}

/**
 * {@link psnr} of each of `n` images stored one after another (image i is values
 * i·L … (i+1)·L − 1, L = length / n): PSNRᵢ = 10·log10(R² / MSEᵢ), Infinity where image i is
 * identical in both.
 */
export function psnrPerImage(
  reference: PixelArray,
  test: PixelArray,
  n: number,
  dataRange = 1,
): number[] {
  const fn = 'psnrPerImage';
  checkPositiveInt(fn, 'n', n);
  checkDataRange(fn, dataRange);
  checkArray(fn, 'reference', reference);
  if (reference.length === 0 || reference.length % n !== 0)
    throw new Error(
      `${fn}: reference has ${reference.length} values, not a positive multiple of n = ${n}`,
    );
  const len = reference.length / n;
  checkPair(fn, reference, test, n, len, `n × ${len}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(psnrOf(reference, test, i * len, len, dataRange));
  return out;
}

/** Sums of each win×win window fully inside the h×w image at `start` of f(x, y), per window. */
function windowSums(
  x: PixelArray,
  y: PixelArray,
  start: number,
  h: number,
  w: number,
  win: number,
  f: (a: number, b: number) => number,
): Float64Array {
  const ow = w - win + 1;
  const oh = h - win + 1;
  // horizontal sums of each row, then vertical sums of those: separable, no running differences
  const rows = new Float64Array(h * ow);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < ow; c++) {
      let s = 0;
      for (let k = 0; k < win; k++) {
        const i = start + r * w + c + k;
        s += f(x[i], y[i]);
      }
      rows[r * ow + c] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      let s = 0;
      for (let k = 0; k < win; k++) s += rows[(r + k) * ow + c];
      out[r * ow + c] = s;
    }
  }
  return out;
}

const id = (a: number): number => a;
const second = (_a: number, b: number): number => b;
const sq = (a: number): number => a * a;
const sqSecond = (_a: number, b: number): number => b * b;
const prod = (a: number, b: number): number => a * b;

function ssimOf(
  x: PixelArray,
  y: PixelArray,
  start: number,
  h: number,
  w: number,
  win: number,
  dataRange: number,
): number {
  const np = win * win;
  const covNorm = np / (np - 1);
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  const sx = windowSums(x, y, start, h, w, win, id);
  const sy = windowSums(x, y, start, h, w, win, second);
  const sxx = windowSums(x, y, start, h, w, win, sq);
  const syy = windowSums(x, y, start, h, w, win, sqSecond);
  const sxy = windowSums(x, y, start, h, w, win, prod);
  let total = 0;
  for (let i = 0; i < sx.length; i++) {
    const ux = sx[i] / np;
    const uy = sy[i] / np;
    const vx = covNorm * (sxx[i] / np - ux * ux);
    const vy = covNorm * (syy[i] / np - uy * uy);
    const vxy = covNorm * (sxy[i] / np - ux * uy);
    const a1 = 2 * ux * uy + c1;
    const a2 = 2 * vxy + c2;
    const b1 = ux * ux + uy * uy + c1;
    const b2 = vx + vy + c2;
    total += (a1 * a2) / (b1 * b2);
  }
  return total / sx.length;
}

function checkSsimShape(fn: string, height: number, width: number, opts: SsimOptions): number {
  checkPositiveInt(fn, 'height', height);
  checkPositiveInt(fn, 'width', width);
  const win = opts.winSize ?? 7;
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0 || win > Math.min(height, width))
    throw new Error(
      `${fn}: opts.winSize must be an odd integer ≥ 3 and ≤ min(height, width) = ` +
        `${Math.min(height, width)}, got ${win}`,
    );
  checkDataRange(fn, opts.dataRange ?? 1);
  return win;
}

/**
 * Mean structural similarity (Wang et al. 2004) of one grayscale image `test` against
 * `reference`, both height×width in row-major order, exactly as scikit-image's
 * `structural_similarity(reference, test, data_range=R)` with its defaults (0.19+,
 * `gaussian_weights=False`). For each win×win window (win = `opts.winSize`, default 7) lying
 * fully inside the image, with means μx, μy and sample (co)variances σx², σy², σxy (divided by
 * NP − 1, NP = win²):
 *   S = ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),
 *   C1 = (0.01·R)², C2 = (0.03·R)², R = `opts.dataRange` (default 1);
 * SSIM is the mean of S over those windows, i.e. over the map cropped by (win − 1)/2 on each
 * side as scikit-image does. In [−1, 1]; 1 for identical images.
 */
export function ssim(
  reference: PixelArray,
  test: PixelArray,
  height: number,
  width: number,
  opts: SsimOptions = {},
): number {
  const win = checkSsimShape('ssim', height, width, opts);
  checkPair('ssim', reference, test, 1, height * width, `height × width = ${height}×${width}`);
  return ssimOf(reference, test, 0, height, width, win, opts.dataRange ?? 1);
}

/**
 * {@link ssim} of each of `n` grayscale height×width images stored one after another
 * (n×height×width, row-major): SSIMᵢ = mean over image i's windows of S as in {@link ssim}.
 */
export function ssimPerImage(
  reference: PixelArray,
  test: PixelArray,
  n: number,
  height: number,
  width: number,
  opts: SsimOptions = {},
): number[] {
  const fn = 'ssimPerImage';
  checkPositiveInt(fn, 'n', n);
  const win = checkSsimShape(fn, height, width, opts);
  const per = height * width;
  checkPair(fn, reference, test, n, per, `n × height × width = ${n}×${height}×${width}`);
  const out: number[] = [];
  for (let i = 0; i < n; i++)
    out.push(ssimOf(reference, test, i * per, height, width, win, opts.dataRange ?? 1));
  return out;
}

/** Check an n×h×w×3 RGB array with values in [0, 1]. */
function checkRgb(fn: string, rgb: PixelArray, n: number, height: number, width: number): void {
  checkArray(fn, 'rgb', rgb);
  checkPositiveInt(fn, 'n', n);
  checkPositiveInt(fn, 'height', height);
  checkPositiveInt(fn, 'width', width);
  const expected = n * height * width * 3;
  if (rgb.length !== expected)
    throw new Error(
      `${fn}: rgb has ${rgb.length} values, not n × height × width × 3 = ` +
        `${n}×${height}×${width}×3 = ${expected}`,
    );
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i];
    if (!(v >= 0 && v <= 1))
      throw new Error(
        `${fn}: rgb[${i}] is ${v}, outside [0, 1] (scale images to [0, 1] and clip them first)`,
      );
  }
}

/**
 * Colorfulness of each of `n` RGB images (Hasler & Süsstrunk 2003, "Measuring colourfulness in
 * natural images"), `rgb` holding n×height×width×3 values in [0, 1] (channels last), scaled by
 * 255 as in the paper. Per image, over its pixels, rg = R − G and yb = (R + G)/2 − B;
 *   M = sqrt(σrg² + σyb²) + 0.3·sqrt(μrg² + μyb²),
 * with population standard deviations σ (divided by the pixel count). 0 for a gray image;
 * the paper rates ≈ 33 "moderately", ≈ 59 "quite" and ≥ 82 "highly" colourful.
 */
export function colorfulness(rgb: PixelArray, n: number, height: number, width: number): number[] {
  checkRgb('colorfulness', rgb, n, height, width);
  const px = height * width;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * px * 3;
    let mrg = 0,
      myb = 0;
    for (let p = 0; p < px; p++) {
      const r = 255 * rgb[base + 3 * p],
        g = 255 * rgb[base + 3 * p + 1],
        b = 255 * rgb[base + 3 * p + 2];
      mrg += r - g;
      myb += (r + g) / 2 - b;
    }
    mrg /= px;
    myb /= px;
    let vrg = 0,
      vyb = 0;
    for (let p = 0; p < px; p++) {
      const r = 255 * rgb[base + 3 * p],
        g = 255 * rgb[base + 3 * p + 1],
        b = 255 * rgb[base + 3 * p + 2];
      vrg += (r - g - mrg) ** 2;
      vyb += ((r + g) / 2 - b - myb) ** 2;
    }
    vrg /= px;
    vyb /= px;
    out.push(Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb));
  }
  return out;
}

/**
 * Mean HSV saturation of each of `n` RGB images, `rgb` holding n×height×width×3 values in [0, 1]
 * (channels last): the mean over pixels of s = (max − min) / max of (R, G, B), s = 0 where
 * max = 0 (black). In [0, 1]; 0 for a gray image.
 */
export function meanSaturation(
  rgb: PixelArray,
  n: number,
  height: number,
  width: number,
): number[] {
  checkRgb('meanSaturation', rgb, n, height, width);
  const px = height * width;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * px * 3;
    let sum = 0;
    for (let p = 0; p < px; p++) {
      const r = rgb[base + 3 * p],
        g = rgb[base + 3 * p + 1],
        b = rgb[base + 3 * p + 2];
      const max = Math.max(r, g, b);
      if (max > 0) sum += (max - Math.min(r, g, b)) / max;
    }
    out.push(sum / px);
  }
  return out;
}

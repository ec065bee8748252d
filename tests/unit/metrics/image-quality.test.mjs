// Image-quality metrics (PSNR, SSIM, colorfulness, saturation) against closed forms, sums written
// out here independently of the implementation, and numbers computed once with scipy the way
// scikit-image's structural_similarity does it (the script is quoted below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku } from '../helpers.mjs';

const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

function close(actual, expected, tol = 1e-12, what = '') {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what} ${actual} vs expected ${expected}`,
  );
}

function uniformImage(rng, len) {
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.uniform();
  return x;
}

/**
 * SSIM of one window by the textbook formula, two-pass: means, then sample (co)variances as
 * Σ(x − μx)(y − μy) / (N − 1); C1, C2 for data range R.
 */
function windowSsim(x, y, R = 1) {
  const n = x.length;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let vx = 0,
    vy = 0,
    cxy = 0;
  for (let i = 0; i < n; i++) {
    vx += (x[i] - mx) ** 2;
    vy += (y[i] - my) ** 2;
    cxy += (x[i] - mx) * (y[i] - my);
  }
  vx /= n - 1;
  vy /= n - 1;
  cxy /= n - 1;
  const c1 = (0.01 * R) ** 2,
    c2 = (0.03 * R) ** 2;
  return ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
}

/** The win×win block of an h×w image (row-major) whose top-left corner is (r, c). */
function block(img, w, r, c, win = 7) {
  const out = [];
  for (let i = 0; i < win; i++) for (let j = 0; j < win; j++) out.push(img[(r + i) * w + c + j]);
  return out;
}

/** The deterministic pair used for the scipy reference values (same formula in the script). */
function formulaPair(h, w) {
  const x = new Float64Array(h * w),
    y = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = 0.5 + 0.4 * Math.sin(0.7 * i + 0.3 * j) * Math.cos(0.2 * i - 0.5 * j);
      x[i * w + j] = v;
      y[i * w + j] = v + 0.15 * Math.sin(1.9 * i * j + 0.1);
    }
  }
  return [x, y];
}

test('SSIM of identical images is exactly 1, PSNR Infinity', () => {
  const x = uniformImage(new ku.Rng(1), 28 * 28);
  assert.equal(ku.ssim(x, Float64Array.from(x), 28, 28), 1);
  assert.equal(ku.psnr(x, Float64Array.from(x)), Infinity);
});

test('SSIM of two constant images is (2ab + C1) / (a² + b² + C1)', () => {
  for (const [a, b] of [
    [0.3, 0.7],
    [0, 1],
    [0.5, 0.5],
    [0.9, 0.1],
  ]) {
    const x = new Float64Array(28 * 28).fill(a);
    const y = new Float64Array(28 * 28).fill(b);
    close(ku.ssim(x, y, 28, 28), (2 * a * b + C1) / (a * a + b * b + C1), 1e-9, `a=${a} b=${b}`);
  }
  // data range 255: C1 = (0.01·255)²
  const x = new Float64Array(100).fill(50),
    y = new Float64Array(100).fill(200);
  const c1 = 2.55 ** 2;
  close(ku.ssim(x, y, 10, 10, { dataRange: 255 }), (2 * 50 * 200 + c1) / (50 ** 2 + 200 ** 2 + c1));
});

test('SSIM is symmetric, below 1 for a noisy copy, negative for x against 1 − x', () => {
  const rng = new ku.Rng(2);
  const x = uniformImage(rng, 28 * 28);
  const y = x.map((v) => v + 0.1 * rng.normal());
  const s = ku.ssim(x, y, 28, 28);
  close(ku.ssim(y, x, 28, 28), s);
  assert.ok(s < 1 && s > 0, `noisy copy: ${s}`);
  const inv = x.map((v) => 1 - v);
  const neg = ku.ssim(x, inv, 28, 28);
  assert.ok(neg < 0, `x vs 1 − x: ${neg}`);
});

test('SSIM of a single 7×7 window: ramp against reversed ramp, by hand', () => {
  // x_k = k/48, y_k = (48 − k)/48, k = 0…48: μx = μy = 1/2, so the luminance term is 1;
  // Σ(k − 24)² = 2·(1² + … + 24²) = 2·24·25·49/6 = 9800, so the sample variances are
  // v = 9800 / 48² / 48 and the covariance −v: SSIM = (−2v + C2) / (2v + C2).
  const x = new Float64Array(49),
    y = new Float64Array(49);
  for (let k = 0; k < 49; k++) {
    x[k] = k / 48;
    y[k] = (48 - k) / 48;
  }
  const v = 9800 / 48 ** 2 / 48;
  close(ku.ssim(x, y, 7, 7), (-2 * v + C2) / (2 * v + C2));
});

test('SSIM of a single 7×7 window of random values equals the two-pass formula', () => {
  const rng = new ku.Rng(3);
  const x = uniformImage(rng, 49);
  const y = x.map((v) => 0.7 * v + 0.2 + 0.2 * rng.uniform());
  close(ku.ssim(x, y, 7, 7), windowSsim(x, y));
  close(ku.ssim(x, y, 7, 7, { dataRange: 2 }), windowSsim(x, y, 2));
  // Float32 input: the same numbers in float32, summed in float64
  const x32 = Float32Array.from(x),
    y32 = Float32Array.from(y);
  close(ku.ssim(x32, y32, 7, 7), windowSsim(Float64Array.from(x32), Float64Array.from(y32)), 1e-12);
});

test('SSIM is the mean over fully-inside windows only (the crop): a changed corner pixel', () => {
  // 12×10 images equal but for pixel (0, 0). Only the window at the top-left corner holds it
  // among the 6×4 fully-inside windows, so SSIM = (S_corner + 23) / 24. Without the crop the
  // reflect-padded windows near the corner would see the pixel too (and several times).
  const h = 12,
    w = 10;
  const rng = new ku.Rng(4);
  const x = uniformImage(rng, h * w);
  const y = Float64Array.from(x);
  y[0] = x[0] > 0.5 ? 0 : 1;
  const corner = windowSsim(block(x, w, 0, 0), block(y, w, 0, 0));
  assert.ok(corner < 1);
  close(ku.ssim(x, y, h, w), (corner + 23) / 24);
  // and the mean is over every window: brute force over all 24 with random y
  const z = uniformImage(rng, h * w);
  let sum = 0;
  for (let r = 0; r <= h - 7; r++)
    for (let c = 0; c <= w - 7; c++) sum += windowSsim(block(x, w, r, c), block(z, w, r, c));
  close(ku.ssim(x, z, h, w), sum / 24);
  // winSize 3: 10×8 windows of 3×3
  let sum3 = 0;
  for (let r = 0; r <= h - 3; r++)
    for (let c = 0; c <= w - 3; c++) sum3 += windowSsim(block(x, w, r, c, 3), block(z, w, r, c, 3));
  close(ku.ssim(x, z, h, w, { winSize: 3 }), sum3 / 80);
});

test('SSIM matches scikit-image computed with scipy', () => {
  // Computed once with numpy/scipy the way skimage.metrics.structural_similarity (0.19+,
  // gaussian_weights=False) does it (scikit-image itself is not installed here):
  //   import numpy as np
  //   from scipy.ndimage import uniform_filter
  //   def ssim(X, Y, win=7, R=1.0):
  //       NP = win ** 2; cov_norm = NP / (NP - 1)
  //       ux = uniform_filter(X, size=win); uy = uniform_filter(Y, size=win)
  //       uxx = uniform_filter(X * X, size=win); uyy = uniform_filter(Y * Y, size=win)
  //       uxy = uniform_filter(X * Y, size=win)
  //       vx = cov_norm * (uxx - ux * ux); vy = cov_norm * (uyy - uy * uy)
  //       vxy = cov_norm * (uxy - ux * uy)
  //       C1 = (0.01 * R) ** 2; C2 = (0.03 * R) ** 2
  //       S = ((2 * ux * uy + C1) * (2 * vxy + C2)) / ((ux**2 + uy**2 + C1) * (vx + vy + C2))
  //       pad = (win - 1) // 2
  //       return S[pad:-pad, pad:-pad].mean()
  //   def pair(h, w):
  //       i, j = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
  //       x = 0.5 + 0.4 * np.sin(0.7 * i + 0.3 * j) * np.cos(0.2 * i - 0.5 * j)
  //       y = x + 0.15 * np.sin(1.9 * i * j + 0.1)
  //       return x, y
  //   x, y = pair(28, 28); print(ssim(x, y))                  # 0.8747173044767947
  //   x, y = pair(10, 12); print(ssim(x, y, win=3, R=2.0))    # 0.7932175473365717
  let [x, y] = formulaPair(28, 28);
  close(ku.ssim(x, y, 28, 28), 0.8747173044767947, 1e-10);
  [x, y] = formulaPair(10, 12);
  close(ku.ssim(x, y, 10, 12, { winSize: 3, dataRange: 2 }), 0.7932175473365717, 1e-10);
});

test('ssimPerImage is ssim of each image', () => {
  const rng = new ku.Rng(5);
  const n = 3,
    px = 28 * 28;
  const x = uniformImage(rng, n * px);
  const y = x.map((v) => v + 0.2 * rng.normal());
  y.set(x.subarray(px, 2 * px), px); // the second image identical
  const got = ku.ssimPerImage(x, y, n, 28, 28);
  assert.equal(got.length, n);
  for (let i = 0; i < n; i++) {
    const a = x.slice(i * px, (i + 1) * px),
      b = y.slice(i * px, (i + 1) * px);
    close(got[i], ku.ssim(a, b, 28, 28));
  }
  assert.equal(got[1], 1);
});

test('PSNR: MSE 0.01 is 20 dB; data range; per image', () => {
  const ref = new Float64Array(50);
  const t = new Float64Array(50).fill(0.1);
  close(ku.psnr(ref, t), 20, 1e-9);
  // half the pixels off by 0.2, half exact: MSE = 0.02 → 10·log10(50)
  const t2 = new Float64Array(50);
  for (let i = 0; i < 50; i += 2) t2[i] = 0.2;
  close(ku.psnr(ref, t2), 10 * Math.log10(50), 1e-9);
  // bytes: R = 255, error 25.5 everywhere → 20 dB
  close(ku.psnr(ref, new Float32Array(50).fill(25.5), 255), 20, 1e-6);
  const per = ku.psnrPerImage(
    Float64Array.from([0, 0, 0, 0, 0.5, 0.5]),
    Float64Array.from([0.1, 0.1, 0, 0, 0.5, 0.5]),
    3,
  );
  close(per[0], 20, 1e-9);
  assert.equal(per[1], Infinity);
  assert.equal(per[2], Infinity);
});

test('colorfulness: 0 for gray, closed forms for one and two colours', () => {
  const px = 4 * 6;
  const img = (colours) => {
    // image of px pixels, pixel p gets colours[p % colours.length]
    const out = new Float64Array(px * 3);
    for (let p = 0; p < px; p++) out.set(colours[p % colours.length], 3 * p);
    return out;
  };
  const gray = new Float64Array(px * 3);
  for (let p = 0; p < px; p++) gray.fill((p % 7) / 6, 3 * p, 3 * p + 3);
  assert.deepEqual(ku.colorfulness(gray, 1, 4, 6), [0]);
  // pure red: rg = 255, yb = 127.5, no spread
  close(ku.colorfulness(img([[1, 0, 0]]), 1, 4, 6)[0], 0.3 * Math.hypot(255, 127.5));
  // half red, half green: rg = ±255 (σ 255, μ 0), yb = 127.5 → 255 + 0.3·127.5 = 293.25
  close(
    ku.colorfulness(
      img([
        [1, 0, 0],
        [0, 1, 0],
      ]),
      1,
      4,
      6,
    )[0],
    293.25,
  );
  // two colours half and half: μ = (a1 + a2)/2, σ = |a1 − a2|/2 for rg and yb
  const c1 = [0.2, 0.6, 0.1],
    c2 = [0.9, 0.3, 0.5];
  const rg = (c) => 255 * (c[0] - c[1]);
  const yb = (c) => 255 * ((c[0] + c[1]) / 2 - c[2]);
  const sd = Math.hypot((rg(c1) - rg(c2)) / 2, (yb(c1) - yb(c2)) / 2);
  const mu = Math.hypot((rg(c1) + rg(c2)) / 2, (yb(c1) + yb(c2)) / 2);
  const two = img([c1, c2]);
  // two images one after another: gray then the two-colour one
  const both = new Float64Array(2 * px * 3);
  both.set(gray);
  both.set(two, px * 3);
  const got = ku.colorfulness(both, 2, 4, 6);
  assert.equal(got[0], 0);
  close(got[1], sd + 0.3 * mu, 1e-10);
});

test('meanSaturation: (max − min)/max per pixel, 0 for gray and black', () => {
  const rgb = Float64Array.from([
    ...[1, 0, 0], // 1
    ...[0.5, 0.25, 0.25], // 0.5
    ...[0, 0, 0], // black: 0
    ...[0.4, 0.4, 0.4], // gray: 0
    // second image
    ...[0.2, 0.8, 0.6], // 0.75
    ...[0, 0, 0.1], // 1
    ...[0.9, 0.9, 0.3], // 2/3
    ...[1, 1, 1], // 0
  ]);
  const got = ku.meanSaturation(rgb, 2, 2, 2);
  close(got[0], 1.5 / 4);
  close(got[1], (0.75 + 1 + 2 / 3) / 4);
  assert.deepEqual(ku.meanSaturation(new Float32Array(12).fill(0.3), 1, 2, 2), [0]);
});

test('errors name the parameter and what is wrong', () => {
  const a = new Float64Array(49),
    b = new Float64Array(48);
  assert.throws(() => ku.psnr(a, b), /psnr: reference has 49 values and test 48/);
  assert.throws(() => ku.psnr([0, 1], [0, 1]), /psnr: reference must be a Float32Array/);
  assert.throws(() => ku.psnr(a, a, 0), /psnr: dataRange must be a positive/);
  assert.throws(() => ku.psnr(new Float64Array(0), new Float64Array(0)), /reference is empty/);
  assert.throws(() => ku.psnrPerImage(a, a, 2), /psnrPerImage: .*not a positive multiple of n/);
  assert.throws(() => ku.psnrPerImage(a, a, 1.5), /psnrPerImage: n must be a positive integer/);
  assert.throws(() => ku.ssim(a, b, 7, 7), /ssim: reference has 49 values and test 48/);
  assert.throws(() => ku.ssim(a, a, 7, 8), /ssim: .*not height × width = 7×8 = 56/);
  assert.throws(() => ku.ssim(a, a, 0, 7), /ssim: height must be a positive integer, got 0/);
  assert.throws(() => ku.ssim(a, a, 7, 7.5), /ssim: width must be a positive integer/);
  const c = new Float64Array(36);
  assert.throws(() => ku.ssim(c, c, 6, 6), /ssim: opts.winSize .*min\(height, width\) = 6, got 7/);
  assert.throws(() => ku.ssim(a, a, 7, 7, { winSize: 4 }), /opts.winSize must be an odd/);
  assert.throws(() => ku.ssim(a, a, 7, 7, { winSize: 1 }), /opts.winSize/);
  assert.throws(() => ku.ssim(a, a, 7, 7, { dataRange: -1 }), /ssim: dataRange must be/);
  const nan = new Float64Array(49);
  nan[5] = NaN;
  assert.throws(() => ku.ssim(a, nan, 7, 7), /ssim: test\[5\] is NaN, not finite/);
  assert.throws(() => ku.ssimPerImage(a, a, 2, 7, 7), /ssimPerImage: .*n × height × width/);
  const rgb = new Float64Array(12);
  assert.throws(() => ku.colorfulness(rgb, 1, 2, 3), /colorfulness: rgb has 12 values, not n ×/);
  assert.throws(() => ku.meanSaturation(rgb, 0, 2, 2), /meanSaturation: n must be a positive/);
  rgb[4] = 255;
  assert.throws(() => ku.colorfulness(rgb, 1, 2, 2), /colorfulness: rgb\[4\] is 255, outside/);
  rgb[4] = -0.5;
  assert.throws(() => ku.meanSaturation(rgb, 1, 2, 2), /rgb\[4\] is -0.5, outside \[0, 1\]/);
});

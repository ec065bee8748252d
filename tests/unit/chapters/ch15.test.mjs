// Chapter 15's pieces, on the chapter's own code (ku.ch15, exported from its // @save cells):
// the matching noise step, the median filter, the DFT and Wiener deconvolution, Richardson–Lucy,
// the bicubic matrix, the projections of the generative restorations, the harmonic fill, the
// masks and the coloured digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tf, backend } from '../helpers.mjs';

const c = ku.ch15;
const schedule = () => ku.ch13.makeSchedule(ku.ch13.linearBetas(1000));

test('matchingStep: the forward noise at t* equals N(0, σ²) on [0, 1] images', () => {
  const s = schedule();
  for (const sigma of [0.05, 0.1, 0.3, 0.5]) {
    const { t, alphaBar } = c.matchingStep(s, sigma);
    // on [−1, 1] the noise is 2σ: (1 − ᾱ)/ᾱ = 4σ²
    assert.ok(Math.abs((1 - alphaBar) / alphaBar - 4 * sigma * sigma) < 1e-12);
    assert.ok(s.alphaBar[t - 1] <= alphaBar, `ᾱ_t* ≤ ᾱ* at σ = ${sigma}`);
    assert.ok(t === 1 || s.alphaBar[t - 2] > alphaBar, `t* is the first such step at σ = ${sigma}`);
  }
  assert.ok(c.matchingStep(s, 0.3).t > c.matchingStep(s, 0.1).t);
  assert.throws(() => c.matchingStep(s, 0), /sigma must be positive, got 0/);
});

test('medianFilter3 removes an isolated impulse and keeps a constant image', async () => {
  await backend();
  const img = new Float32Array(49).fill(0.5);
  img[24] = 1;
  const out = tf.tidy(() => c.medianFilter3(tf.tensor4d(img, [1, 7, 7, 1])).dataSync());
  assert.equal(out[24], 0.5);
  // interior pixels are the constant; corners see 4 zeros of padding among 9, so stay 0.5
  assert.equal(out[8], 0.5);
  // a 3×3 median of [0..8] around the centre of a ramp is its centre value
  const ramp = Float32Array.from({ length: 9 }, (_, i) => i);
  const mid = tf.tidy(() => c.medianFilter3(tf.tensor4d(ramp, [1, 3, 3, 1])).dataSync());
  assert.equal(mid[4], 4);
});

test('dft2: the inverse undoes it, and an impulse transforms to all ones', () => {
  const [h, w] = [5, 6];
  const re = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i) + 0.1 * i);
  const X = c.dft2(re, new Float64Array(h * w), h, w);
  const back = c.dft2(X.re, X.im, h, w, true);
  for (let i = 0; i < h * w; i++) {
    assert.ok(Math.abs(back.re[i] - re[i]) < 1e-10);
    assert.ok(Math.abs(back.im[i]) < 1e-10);
  }
  // Parseval: Σ|x|² = Σ|X|²/(h·w)
  const energy = re.reduce((a, v) => a + v * v, 0);
  const spectral = X.re.reduce((a, v, i) => a + v * v + X.im[i] * X.im[i], 0) / (h * w);
  assert.ok(Math.abs(energy - spectral) < 1e-9);
  const delta = new Float64Array(h * w);
  delta[0] = 1;
  const D = c.dft2(delta, new Float64Array(h * w), h, w);
  for (let i = 0; i < h * w; i++)
    assert.ok(Math.abs(D.re[i] - 1) < 1e-12 && Math.abs(D.im[i]) < 1e-12);
});

test('Wiener deconvolution with K → 0 inverts a circular blur without noise (up to its zeros)', () => {
  const [h, w, k] = [8, 8, 3];
  const kernel = Float32Array.from([1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16));
  const G = c.transferFunction(kernel, k, h, w);
  const x = Float64Array.from({ length: h * w }, (_, i) => ((i * 7) % 11) / 10);
  // the circular blur y = g ⊛ x, computed directly
  const y = new Float32Array(h * w);
  for (let r = 0; r < h; r++)
    for (let q = 0; q < w; q++)
      for (let u = -1; u <= 1; u++)
        for (let v = -1; v <= 1; v++)
          y[r * w + q] +=
            kernel[(u + 1) * k + v + 1] * x[((r - u + h) % h) * w + ((q - v + w) % w)];
  // this kernel's transfer function has zeros only at the Nyquist frequency: a tiny K suffices
  const xHat = c.wienerDeconvolve(y, G, 1e-9, h, w);
  // the Nyquist row and column (|G| = 0 there) are lost: compare the blurred restorations instead
  const reblur = new Float32Array(h * w);
  for (let r = 0; r < h; r++)
    for (let q = 0; q < w; q++)
      for (let u = -1; u <= 1; u++)
        for (let v = -1; v <= 1; v++)
          reblur[r * w + q] +=
            kernel[(u + 1) * k + v + 1] * xHat[((r - u + h) % h) * w + ((q - v + w) % w)];
  const reblurErr = Math.max(...Array.from(reblur, (v, i) => Math.abs(v - y[i])));
  assert.ok(reblurErr < 1e-5, `g ⊛ x̂ = y within ${reblurErr}`);
});

test('Richardson–Lucy keeps the total intensity and moves a blurred impulse back towards it', async () => {
  await backend();
  const g = c.gaussianKernel(1);
  const x = new Float32Array(15 * 15);
  x[7 * 15 + 7] = 1;
  const y = tf.tidy(() => c.convolve(tf.tensor4d(x, [1, 15, 15, 1]), g));
  const peaks = [];
  const restored = c.richardsonLucy(y, g, 30, (k, xk) => {
    if (k === 1 || k === 30) peaks.push(tf.tidy(() => xk.dataSync()[7 * 15 + 7]));
  });
  const yPeak = y.dataSync()[7 * 15 + 7];
  assert.ok(peaks[0] > yPeak && peaks[1] > peaks[0], `peak ${yPeak} → ${peaks.join(' → ')}`);
  tf.dispose([g, y, restored]);
});

test('bicubic: Keys kernel values, rows sum to 1, a constant image stays constant', async () => {
  await backend();
  assert.equal(c.keysCubic(0), 1);
  assert.equal(c.keysCubic(1), 0);
  assert.equal(c.keysCubic(2), 0);
  // Keys (1981), a = −½: W(½) = 0.5625, W(1.5) = −0.0625
  assert.ok(Math.abs(c.keysCubic(0.5) - 0.5625) < 1e-12);
  assert.ok(Math.abs(c.keysCubic(1.5) + 0.0625) < 1e-12);
  const up = tf.tidy(
    () =>
      c
        .bicubicUpsample(tf.fill([2, 7, 7, 1], 0.3))
        .sub(0.3)
        .abs()
        .max()
        .dataSync()[0],
  );
  assert.ok(up < 1e-6);
});

test("the block projection gives x̂₀ the observed block means; unprojected, projectedStep is DDIM's step", async () => {
  await backend();
  const x = tf.randomUniform([3, 28, 28, 1], -1, 1, 'float32', 5);
  const low = tf.randomUniform([3, 7, 7, 1], -1, 1, 'float32', 6);
  const gap = tf.tidy(() => {
    const fix = x.add(tf.image.resizeNearestNeighbor(low.sub(c.blockMeans(x, 4)), [28, 28]));
    return c.blockMeans(fix, 4).sub(low).abs().max().dataSync()[0];
  });
  assert.ok(gap < 1e-5, `block means off by ${gap}`);
  // one projected DDIM step with an ε-model that always says 0 and the identity projection is
  // the plain DDIM step (x_t small enough that x̂₀ = x_t/√ᾱ_t stays inside the clip to [−1, 1])
  const s = schedule();
  const zeroEps = (xt) => tf.zerosLike(xt);
  const a = tf.tidy(() => c.projectedStep(zeroEps, s, x.mul(0.1), 500, 400, (x0) => x0));
  const b = tf.tidy(() => ku.ch13.ddimStep(s, x.mul(0.1), tf.zerosLike(x), 500, 400));
  const diff = tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
  assert.ok(diff < 1e-5, `projectedStep vs ddimStep: ${diff}`);
  tf.dispose([x, low, a, b]);
});

test('harmonic fill keeps known pixels and fills a hole in a constant image with the constant', async () => {
  await backend();
  const y = tf.fill([1, 12, 12, 1], 0.6);
  const rng = new ku.Rng(3);
  const maskData = new Float32Array(144).fill(1);
  for (let r = 4; r < 8; r++) for (let q = 4; q < 8; q++) maskData[r * 12 + q] = 0;
  const mask = tf.tensor4d(maskData, [1, 12, 12, 1]);
  const filled = c.harmonicFill(y, mask, 500).dataSync();
  // the constant is harmonic; zeros outside the image pull only the border, which is known
  assert.ok(Math.abs(filled[5 * 12 + 5] - 0.6) < 1e-3, `hole centre ${filled[5 * 12 + 5]}`);
  assert.ok(Math.abs(filled[0] - 0.6) < 1e-6, 'a known pixel is kept');
  const m = c.inpaintingMask('box', 4, rng, { size: 10, from: 7, to: 11 }).dataSync();
  for (let i = 0; i < 4; i++) {
    const missing = m.subarray(i * 784, (i + 1) * 784).reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    assert.equal(missing, 100);
  }
  const half = c.inpaintingMask('bottom half', 1, rng).dataSync();
  assert.equal(half[13 * 28 + 5], 1);
  assert.equal(half[14 * 28 + 5], 0);
  tf.dispose([y, mask]);
});

test('coloured digits: stroke and background take different hues; luminance is BT.601', async () => {
  await backend();
  const grey = new Float32Array(2 * 784);
  grey.fill(1, 0, 392);
  const rgb = c.coloredDigits(grey, 2, new ku.Rng(9));
  for (let i = 0; i < 2; i++) {
    const at = (p) => Array.from(rgb.subarray((i * 784 + p) * 3, (i * 784 + p) * 3 + 3));
    const stroke = at(0);
    const ground = at(783).map((v) => v / c.BACKGROUND_BRIGHTNESS);
    const hueOf = (col) => c.HUES.findIndex((h) => h.every((v, k) => Math.abs(v - col[k]) < 1e-6));
    if (i === 0) assert.ok(hueOf(stroke) >= 0, 'the stroke is a palette hue');
    assert.ok(hueOf(ground) >= 0, 'the background is a darkened palette hue');
    if (i === 0) assert.notEqual(hueOf(stroke), hueOf(ground));
  }
  const lum = tf.tidy(() =>
    c.luminance(tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 1, 1, 3])).dataSync(),
  );
  assert.deepEqual(
    Array.from(lum).map((v) => Math.round(v * 1000)),
    [299, 587, 114],
  );
});

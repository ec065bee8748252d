import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku } from '../helpers.mjs';

test('PNG encoder round-trips gray, RGB and RGBA pixels with valid CRCs', () => {
  for (const ch of [1, 3, 4]) {
    const w = 7;
    const h = 5;
    const px = Uint8Array.from({ length: w * h * ch }, (_, i) => (i * 37) % 256);
    const png = ku.encodePng(px, w, h, ch);
    assert.deepEqual(
      Array.from(png.subarray(0, 8)),
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    );
    const back = ku.decodePng(png);
    assert.equal(back.width, w);
    assert.equal(back.height, h);
    assert.equal(back.channels, ch);
    assert.deepEqual(back.pixels, px);
  }
  assert.throws(
    () => ku.encodePng(new Uint8Array(10), 3, 3, 1),
    /10 bytes for 3×3×1 \(expected 9\)/,
  );
  assert.equal(ku.crc32(Buffer.from('IEND')), 0xae426082);
});

test('image grids tile, scale and clip images', () => {
  const imgs = new Float32Array(5 * 4 * 4);
  imgs.fill(1, 0, 16); // first image white
  imgs.fill(2, 16, 32); // second: clipped to white
  imgs.fill(-1, 32, 48); // third: clipped to black
  const png = ku.imageGridPng(imgs, { height: 4, width: 4, cols: 3, scale: 2, pad: 1 });
  const { width, height, pixels } = ku.decodePng(png);
  assert.equal(width, 3 * 8 + 4);
  assert.equal(height, 2 * 8 + 3);
  assert.equal(pixels[1 * width + 1], 255); // inside tile 0
  assert.equal(pixels[1 * width + 10], 255); // tile 1 clipped
  assert.equal(pixels[1 * width + 19], 0); // tile 2 clipped
  assert.equal(pixels[0], 128); // padding
  assert.throws(() => ku.imageGridPng(new Float32Array(10)), /not a whole number of 28×28 images/);
  const labelled = ku.decodePng(
    ku.labelledGridPng(imgs, ['a', 'b', 'c', 'd', 'e'], { height: 4, width: 4, cols: 5 }),
  );
  assert.ok(labelled.width > 5 * 8 && labelled.height > 8);
  assert.throws(
    () => ku.labelledGridPng(imgs, ['a'], { height: 4, width: 4 }),
    /1 labels for 5 images/,
  );
});

test('every chart spec renders headlessly to a PNG', async () => {
  const history = [1, 2, 3].map((e) => ({ epoch: e, loss: 1 / e, val_loss: 1.1 / e }));
  const curves = ku.trainingCurvesSpec(history);
  assert.equal(curves.data.values.length, 6);
  const moons = ku.makeMoons(50, 0.1, 1);
  const xs = [-1, 0, 1];
  const specs = [
    curves,
    ku.scatterSpec(moons.x, moons.y, { title: 'moons' }),
    ku.histogramSpec([1, 2, 2, 3, 3, 3], { groups: ['a', 'a', 'b', 'b', 'b', 'a'] }),
    ku.heatmapSpec(
      xs,
      xs,
      xs.map((y) => xs.map((x) => Math.exp(-(x * x + y * y)))),
      { points: moons.x },
    ),
  ];
  for (const spec of specs) {
    const png = ku.decodePng(await ku.chartPng(spec, 1));
    assert.ok(png.width > 100 && png.height > 100, `${png.width}×${png.height}`);
    // not a blank page: some pixels are darker than the white background
    let dark = 0;
    for (let i = 0; i < png.pixels.length; i += png.channels) if (png.pixels[i] < 128) dark++;
    assert.ok(dark > 50, `only ${dark} dark pixels`);
  }
  assert.throws(() => ku.heatmapSpec(xs, xs, [[1, 2, 3]]), /1 grid rows for 3 y values/);
  await assert.rejects(
    () => ku.chartPng({ mark: 'nonsense', data: { values: [] } }),
    /vega-lite could not compile/,
  );
});

test('tables: DataFrames become HTML with escaped, formatted cells', () => {
  const df = ku.rowsToDataFrame([
    { model: 'VAE <b>', nll: 90.12345, n: 2000 },
    { model: 'GMM', nll: 0.000012, n: 3 },
  ]);
  const html = ku.dataFrameHtml(df, { caption: 'Results', digits: 4 });
  assert.match(html, /<caption[^>]*>Results<\/caption>/);
  assert.match(html, /VAE &lt;b&gt;/);
  assert.match(html, />90\.12</);
  assert.match(html, />1\.200e-5</);
  assert.match(html, />2,000</);
  assert.match(ku.dataFrameText(df), /model\s+nll\s+n/);
  assert.throws(
    () =>
      ku.rowsToDataFrame([
        { model: 'VAE', nll: 90 },
        { model: 'GMM', n: 3, nll: 1 },
      ]),
    /row 1 has the columns \(model, n, nll\) but row 0 has \(model, nll\)/,
  );
  // the same columns in another order are put in row 0's order
  const text = ku.dataFrameText(
    ku.rowsToDataFrame([
      { a: 1, b: 'x' },
      { b: 'y', a: 2 },
    ]),
  );
  assert.match(text, /a\s+b\n\s*1\s+x\n\s*2\s+y/);
});

test('outside a kernel, display falls back to text and progress stays quiet until done', () => {
  assert.equal(ku.inKernel(), false);
  const p = new ku.Progress('run', 10);
  p.update(5, { loss: 0.5 });
  assert.ok(p.elapsed() >= 0);
});

test('Korean text in a chart renders (a Hangul font: fonts-noto-cjk on Debian/Ubuntu)', async () => {
  const chart = (title) => ({
    ...(title ? { title } : {}),
    data: { values: [{ a: 1 }] },
    mark: 'point',
    encoding: { x: { field: 'a', type: 'quantitative' } },
  });
  const dark = (png) => {
    let n = 0;
    for (let i = 0; i < png.pixels.length; i += png.channels) if (png.pixels[i] < 128) n++;
    return n;
  };
  const latin = ku.decodePng(await ku.chartPng(chart('latent space'), 1));
  const korean = ku.decodePng(await ku.chartPng(chart('잠재 공간'), 1));
  const blank = ku.decodePng(await ku.chartPng(chart(''), 1));
  // the title's glyphs add dark pixels; missing glyphs add none (or the same box for each)
  assert.ok(dark(latin) - dark(blank) > 30, 'the Latin title renders');
  assert.ok(
    dark(korean) - dark(blank) > 30,
    'Hangul did not render: install a CJK font (sudo apt-get install fonts-noto-cjk)',
  );
});

test('pngWidth reads the IHDR width; a buffer too short for a PNG is an error', () => {
  const png = Buffer.alloc(33);
  png.writeUInt32BE(812, 16);
  assert.equal(ku.pngWidth(png), 812);
  assert.throws(() => ku.pngWidth(Buffer.alloc(10)), /10 bytes is too short for a PNG/);
});

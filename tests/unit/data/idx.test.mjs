import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ku, tempDir } from '../helpers.mjs';

const imgs = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 256);
const images = ku.encodeIdx([3, 28, 28], imgs);
const labels = ku.encodeIdx([3], Uint8Array.from([7, 0, 9]));

test('reads raw and gzipped IDX files with their shape and values', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a-idx3-ubyte'), images);
  fs.writeFileSync(path.join(dir, 'b-idx3-ubyte.gz'), zlib.gzipSync(images));
  for (const f of ['a-idx3-ubyte', 'b-idx3-ubyte.gz']) {
    const r = ku.readIdx(path.join(dir, f));
    assert.deepEqual(r.shape, [3, 28, 28]);
    assert.deepEqual(Array.from(r.data.subarray(0, 5)), [0, 1, 2, 3, 4]);
    assert.equal(r.data.length, imgs.length);
    assert.equal(r.data[2351], 2351 % 256);
  }
});

test('a truncated file is an error naming the file and the shortfall', () => {
  const dir = tempDir();
  const file = path.join(dir, 'train-images-idx3-ubyte');
  fs.writeFileSync(file, images.subarray(0, images.length - 100));
  assert.throws(
    () => ku.readIdx(file),
    (e) =>
      e.message.includes(file) &&
      /truncated/.test(e.message) &&
      e.message.includes('3×28×28 = 2352'),
  );
  const gz = path.join(dir, 'cut.gz');
  const full = zlib.gzipSync(images);
  fs.writeFileSync(gz, full.subarray(0, full.length - 20));
  assert.throws(
    () => ku.readIdx(gz),
    (e) => e.message.startsWith(gz) && /gzip data is corrupt or truncated/.test(e.message),
  );
  const header = path.join(dir, 'header-only');
  fs.writeFileSync(header, images.subarray(0, 9));
  assert.throws(() => ku.readIdx(header), /truncated header/);
});

test('a wrong magic number, element type, or extra bytes are errors naming the file', () => {
  const dir = tempDir();
  const png = path.join(dir, 'not-idx.png');
  fs.writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
  assert.throws(
    () => ku.readIdx(png),
    (e) => e.message.startsWith(png) && /not an IDX file/.test(e.message),
  );
  const floats = Buffer.from(images);
  floats[2] = 0x0d;
  assert.throws(
    () => ku.parseIdx(floats, 'f.idx'),
    /f\.idx: IDX element type float32 \(0xd\) is not supported/,
  );
  const extra = Buffer.concat([images, Buffer.from([1, 2, 3])]);
  assert.throws(() => ku.parseIdx(extra, 'x.idx'), /x\.idx: 3 unexpected bytes/);
  assert.throws(() => ku.readIdx(path.join(dir, 'missing')), /missing: cannot read \(ENOENT\)/);
});

test('loadIdxDataset checks shapes and that labels match images', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), images);
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), labels);
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(images));
  fs.writeFileSync(
    path.join(dir, 't10k-labels-idx1-ubyte'),
    ku.encodeIdx([2], Uint8Array.from([1, 2])),
  );
  assert.ok(ku.hasIdxDataset(dir));
  assert.throws(
    () => ku.loadIdxDataset(dir, 'tiny', ku.DIGIT_NAMES),
    (e) => /2 labels for 3 images/.test(e.message) && e.message.includes('t10k-labels-idx1-ubyte'),
  );
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), labels);
  const ds = ku.loadIdxDataset(dir, 'tiny', ku.DIGIT_NAMES);
  assert.equal(ds.train.n, 3);
  assert.deepEqual(Array.from(ds.test.labels), [7, 0, 9]);
  assert.equal(ds.train.images[255], 1);
  assert.ok(Math.abs(ds.train.images[1] - 1 / 255) < 1e-7);
});

test('asking for full MNIST without its files says how to get them', () => {
  const saved = process.env.BOOK_DATASETS;
  process.env.BOOK_DATASETS = tempDir();
  try {
    assert.throws(() => ku.loadMnist('full'), /full MNIST is not in .*npm run data -- mnist/);
    assert.equal(ku.loadMnist('auto').name, 'mnist-embedded');
  } finally {
    if (saved === undefined) delete process.env.BOOK_DATASETS;
    else process.env.BOOK_DATASETS = saved;
  }
});

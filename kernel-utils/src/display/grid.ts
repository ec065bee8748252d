/**
 * Image grids: a batch of images tiled into one PNG, optionally with a caption under each tile.
 */
import * as tf from '@tensorflow/tfjs';
import { encodePng } from './png';
import { svgToPng } from './render';
import { displayBundle, escapeHtml } from './jupyter';

export interface GridOptions {
  /** Image height and width in pixels (default 28×28). */
  height?: number;
  width?: number;
  /** Tiles per row (default: ⌈√n⌉, at most 16). */
  cols?: number;
  /** Nearest-neighbour upscaling factor (default 2). */
  scale?: number;
  /** Gap between tiles, in output pixels (default 2). */
  pad?: number;
  /** Value range mapped to black…white (default [0, 1]; values outside are clipped). */
  range?: [number, number];
  /** A caption under each tile (e.g. class names). */
  labels?: string[];
}

/** Pixel values of `images` as a flat Float32Array and the number of images. */
export function imagesToArray(
  images: tf.Tensor | Float32Array | number[],
  height = 28,
  width = 28,
): { data: Float32Array; n: number } {
  const data =
    images instanceof tf.Tensor
      ? (images.dataSync() as Float32Array)
      : images instanceof Float32Array
        ? images
        : Float32Array.from(images);
  const per = height * width;
  if (data.length % per !== 0)
    throw new Error(
      `image grid: ${data.length} values is not a whole number of ${height}×${width} images`,
    );
  return { data, n: data.length / per };
}

/** Tile images into one 8-bit grayscale PNG (unlabelled). */
export function imageGridPng(
  images: tf.Tensor | Float32Array | number[],
  opts: GridOptions = {},
): Buffer {
  const h = opts.height ?? 28;
  const w = opts.width ?? 28;
  const { data, n } = imagesToArray(images, h, w);
  if (n === 0) throw new Error('image grid: no images');
  const scale = opts.scale ?? 2;
  const pad = opts.pad ?? 2;
  const cols = Math.min(n, opts.cols ?? Math.min(16, Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / cols);
  const [lo, hi] = opts.range ?? [0, 1];
  const W = cols * w * scale + (cols + 1) * pad;
  const H = rows * h * scale + (rows + 1) * pad;
  const out = new Uint8Array(W * H).fill(128);
  for (let k = 0; k < n; k++) {
    const r0 = pad + Math.floor(k / cols) * (h * scale + pad);
    const c0 = pad + (k % cols) * (w * scale + pad);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = data[k * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
        const t = (v - lo) / (hi - lo);
        out[(r0 + y) * W + c0 + x] = Number.isFinite(t)
          ? Math.round(255 * Math.min(1, Math.max(0, t)))
          : 0;
      }
    }
  }
  return encodePng(out, W, H, 1);
}

/** Tile images with a caption under each tile (rendered through SVG). */
export function labelledGridPng(
  images: tf.Tensor | Float32Array | number[],
  labels: string[],
  opts: GridOptions = {},
): Buffer {
  const h = opts.height ?? 28;
  const w = opts.width ?? 28;
  const { n } = imagesToArray(images, h, w);
  if (labels.length !== n)
    throw new Error(`labelled grid: ${labels.length} labels for ${n} images`);
  const scale = opts.scale ?? 2;
  const cols = Math.min(n, opts.cols ?? Math.min(16, Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / cols);
  const tileW = w * scale;
  const tileH = h * scale;
  const gap = 4;
  const textH = 14;
  const W = cols * (tileW + gap) + gap;
  const H = rows * (tileH + textH + gap) + gap;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  const { data } = imagesToArray(images, h, w);
  for (let k = 0; k < n; k++) {
    const tile = imageGridPng(data.subarray(k * h * w, (k + 1) * h * w), {
      ...opts,
      cols: 1,
      pad: 0,
      scale,
    });
    const x = gap + (k % cols) * (tileW + gap);
    const y = gap + Math.floor(k / cols) * (tileH + textH + gap);
    parts.push(
      `<image x="${x}" y="${y}" width="${tileW}" height="${tileH}" href="data:image/png;base64,${tile.toString('base64')}"/>`,
    );
    parts.push(
      `<text x="${x + tileW / 2}" y="${y + tileH + 11}" font-family="DejaVu Sans" font-size="10" text-anchor="middle" fill="#222">${escapeHtml(labels[k])}</text>`,
    );
  }
  parts.push('</svg>');
  return svgToPng(parts.join(''), 1);
}

/**
 * Show a grid of images in the notebook (PNG), with an optional title and per-tile labels.
 * Returns nothing, so a cell ending with it prints nothing more (use imageGridPng for the bytes).
 */
export function showImages(
  images: tf.Tensor | Float32Array | number[],
  opts: GridOptions & { title?: string } = {},
): void {
  const png = opts.labels ? labelledGridPng(images, opts.labels, opts) : imageGridPng(images, opts);
  const n = imagesToArray(images, opts.height ?? 28, opts.width ?? 28).n;
  const text = `${opts.title ? opts.title + ': ' : ''}${n} images`;
  if (opts.title) {
    displayBundle({
      'text/html': `<figure style="margin:0"><figcaption style="font-weight:600">${escapeHtml(opts.title)}</figcaption><img src="data:image/png;base64,${png.toString('base64')}" alt="${escapeHtml(text)}"/></figure>`,
      'image/png': png,
      'text/plain': text,
    });
  } else {
    displayBundle({ 'image/png': png, 'text/plain': text });
  }
}

/**
 * Charts as vega-lite 5 specs, shown as one bundle: the interactive spec (JupyterLab, VS Code),
 * a PNG rendered headlessly (classic Notebook, nbconvert HTML, GitHub) and a text summary.
 * The spec builders return plain objects a reader can inspect, edit and pass to `showChart`.
 */
import { displayBundle } from './jupyter';
import { svgToPng, vegaLiteToSvg, VegaLiteSpec } from './render';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

function base(title: string | undefined, width: number, height: number): VegaLiteSpec {
  return { $schema: SCHEMA, ...(title ? { title } : {}), width, height, background: 'white' };
}

/** Render a spec and show it (vega-lite + PNG + text). Use chartPng for the bytes. */
export async function showChart(spec: VegaLiteSpec, text?: string): Promise<void> {
  const scale = 2;
  const png = svgToPng(await vegaLiteToSvg(spec), scale);
  const summary = text ?? `<chart${typeof spec.title === 'string' ? `: ${spec.title}` : ''}>`;
  // the PNG is drawn at twice the spec's size (sharp on high-DPI screens); its display width in
  // the output metadata shows it at the spec's size in Jupyter and in the HTML book
  displayBundle(
    { [VEGALITE_MIME]: spec, 'image/png': png, 'text/plain': summary },
    { metadata: { 'image/png': { width: Math.round(pngWidth(png) / scale) } } },
  );
}

/** The pixel width of a PNG, from its IHDR chunk. */
export function pngWidth(png: Uint8Array): number {
  if (png.length < 24) throw new Error(`pngWidth: ${png.length} bytes is too short for a PNG`);
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength).readUInt32BE(16);
}

/** Render a spec to PNG without showing it (for artifacts and tests). */
export async function chartPng(spec: VegaLiteSpec, scale = 2): Promise<Buffer> {
  return svgToPng(await vegaLiteToSvg(spec), scale);
}

export type Row = Record<string, number | string | null>;

/**
 * Training curves: one line per metric against the epoch (or step). `history` is what the fit
 * helper returns: `[{epoch: 1, loss: 0.3, val_loss: 0.31}, …]`.
 */
export function trainingCurvesSpec(
  history: Row[],
  opts: {
    x?: string;
    metrics?: string[];
    title?: string;
    logY?: boolean;
    width?: number;
    height?: number;
  } = {},
): VegaLiteSpec {
  const x = opts.x ?? 'epoch';
  const metrics =
    opts.metrics ??
    Object.keys(history[0] ?? {}).filter((k) => k !== x && typeof history[0][k] === 'number');
  const values = history.flatMap((h) =>
    metrics
      .filter((m) => typeof h[m] === 'number' && Number.isFinite(h[m] as number))
      .map((m) => ({ [x]: h[x], metric: m, value: h[m] })),
  );
  return {
    ...base(opts.title ?? 'Training curves', opts.width ?? 420, opts.height ?? 220),
    data: { values },
    mark: { type: 'line', point: values.length <= 60 },
    encoding: {
      x: { field: x, type: 'quantitative', title: x },
      y: {
        field: 'value',
        type: 'quantitative',
        title: 'value',
        scale: { type: opts.logY ? 'log' : 'linear', zero: false },
      },
      color: { field: 'metric', type: 'nominal', title: null },
      tooltip: [{ field: x }, { field: 'metric' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** A 2-D scatter (e.g. a latent space) coloured by class. `points` is n×2, row-major. */
export function scatterSpec(
  points: ArrayLike<number>,
  labels?: ArrayLike<number | string>,
  opts: {
    title?: string;
    xTitle?: string;
    yTitle?: string;
    colorTitle?: string;
    classNames?: string[];
    size?: number;
    width?: number;
    height?: number;
  } = {},
): VegaLiteSpec {
  const n = Math.floor(points.length / 2);
  const values: Row[] = [];
  for (let i = 0; i < n; i++) {
    const l = labels ? labels[i] : null;
    values.push({
      x: +points[2 * i].toFixed(4),
      y: +points[2 * i + 1].toFixed(4),
      label:
        l === null
          ? null
          : opts.classNames && typeof l === 'number'
            ? opts.classNames[l]
            : String(l),
    });
  }
  return {
    ...base(opts.title, opts.width ?? 380, opts.height ?? 380),
    data: { values },
    mark: { type: 'circle', size: opts.size ?? 12, opacity: 0.7 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'z₁', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'z₂', scale: { zero: false } },
      ...(labels
        ? {
            color: {
              field: 'label',
              type: 'nominal',
              title: opts.colorTitle ?? 'class',
              scale: { scheme: 'category10' },
            },
          }
        : {}),
      tooltip: [{ field: 'x' }, { field: 'y' }, ...(labels ? [{ field: 'label' }] : [])],
    },
  };
}

/** A histogram of `values`, optionally one colour per group (overlaid). */
export function histogramSpec(
  values: ArrayLike<number>,
  opts: {
    groups?: ArrayLike<string>;
    bins?: number;
    title?: string;
    xTitle?: string;
    width?: number;
    height?: number;
  } = {},
): VegaLiteSpec {
  const rows: Row[] = [];
  for (let i = 0; i < values.length; i++)
    rows.push({ value: values[i], ...(opts.groups ? { group: opts.groups[i] } : {}) });
  return {
    ...base(opts.title, opts.width ?? 420, opts.height ?? 220),
    data: { values: rows },
    mark: { type: 'bar', opacity: opts.groups ? 0.55 : 0.9 },
    encoding: {
      x: {
        field: 'value',
        type: 'quantitative',
        bin: { maxbins: opts.bins ?? 40 },
        title: opts.xTitle ?? 'value',
      },
      y: {
        aggregate: 'count',
        type: 'quantitative',
        title: 'count',
        stack: opts.groups ? null : 'zero',
      },
      ...(opts.groups ? { color: { field: 'group', type: 'nominal', title: null } } : {}),
    },
  };
}

/**
 * A heatmap of a function on a grid, e.g. a 2-D density p(x, y): `grid[i][j]` is the value at
 * (xs[j], ys[i]). Optional `points` (n×2) are drawn on top.
 */
export function heatmapSpec(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  grid: ArrayLike<number>[],
  opts: {
    title?: string;
    valueTitle?: string;
    points?: ArrayLike<number>;
    scheme?: string;
    width?: number;
    height?: number;
  } = {},
): VegaLiteSpec {
  if (grid.length !== ys.length)
    throw new Error(`heatmapSpec: ${grid.length} grid rows for ${ys.length} y values`);
  const dx = xs.length > 1 ? Math.abs(xs[1] - xs[0]) : 1;
  const dy = ys.length > 1 ? Math.abs(ys[1] - ys[0]) : 1;
  const cells: Row[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (grid[i].length !== xs.length)
      throw new Error(
        `heatmapSpec: row ${i} has ${grid[i].length} values for ${xs.length} x values`,
      );
    for (let j = 0; j < xs.length; j++)
      cells.push({
        x: xs[j] - dx / 2,
        x2: xs[j] + dx / 2,
        y: ys[i] - dy / 2,
        y2: ys[i] + dy / 2,
        v: grid[i][j],
      });
  }
  const layers: VegaLiteSpec[] = [
    {
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x₁', scale: { zero: false, nice: false } },
        x2: { field: 'x2' },
        y: { field: 'y', type: 'quantitative', title: 'x₂', scale: { zero: false, nice: false } },
        y2: { field: 'y2' },
        color: {
          field: 'v',
          type: 'quantitative',
          title: opts.valueTitle ?? 'value',
          scale: { scheme: opts.scheme ?? 'viridis' },
        },
      },
    },
  ];
  if (opts.points) {
    const pts: Row[] = [];
    for (let i = 0; i + 1 < opts.points.length; i += 2)
      pts.push({ x: opts.points[i], y: opts.points[i + 1] });
    layers.push({
      data: { values: pts },
      mark: { type: 'circle', size: 8, color: 'white', opacity: 0.6 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
      },
    });
  }
  return { ...base(opts.title, opts.width ?? 360, opts.height ?? 360), layer: layers };
}

/**
 * A vega-lite parameter bound to a slider (a range input under the chart): in the HTML book and
 * in JupyterLab the reader drags it; the PNG shows `value`. Filter a layer on it with
 * `{ filter: 'datum.t == t' }` (or a tolerance for fractional steps).
 */
export function sliderParam(
  name: string,
  opts: { min: number; max: number; step: number; value?: number; label?: string },
): Record<string, unknown> {
  const { min, max, step } = opts;
  if (!/^[A-Za-z_]\w*$/.test(name))
    throw new Error(`sliderParam: "${name}" is not a valid parameter name (letters, digits, _)`);
  if (!(max > min) || !(step > 0))
    throw new Error(
      `sliderParam(${name}): needs min < max and step > 0, got ${min}, ${max}, ${step}`,
    );
  const value = opts.value ?? min;
  if (value < min || value > max)
    throw new Error(`sliderParam(${name}): value ${value} is outside [${min}, ${max}]`);
  return { name, value, bind: { input: 'range', min, max, step, name: `${opts.label ?? name} ` } };
}

/**
 * Images that change with a slider: `frames[f]` holds the images shown when the slider is at
 * `values[f]` (n × 28 × 28 values in [0, 1], the same n in every frame), side by side with their
 * `captions`. Pixels below 0.02 are left out (white), so the spec stays small.
 */
export function imageFramesSpec(
  frames: ArrayLike<number>[],
  values: number[],
  opts: { param: string; label?: string; captions?: string[]; title?: string; pixel?: number },
): VegaLiteSpec {
  const side = 28;
  const per = side * side;
  if (frames.length !== values.length || frames.length < 2)
    throw new Error(
      `imageFramesSpec: ${frames.length} frames for ${values.length} slider values (needs ≥ 2, equal)`,
    );
  const n = frames[0].length / per;
  if (!Number.isInteger(n) || n < 1 || frames.some((f) => f.length !== n * per))
    throw new Error('imageFramesSpec: every frame must hold the same whole number of 28×28 images');
  const steps = values.slice(1).map((v, i) => v - values[i]);
  if (steps.some((s) => s <= 0)) throw new Error('imageFramesSpec: values must increase');
  const step = Math.min(...steps);
  const rows: { f: number; i: number; v: number }[] = [];
  frames.forEach((frame, f) => {
    for (let i = 0; i < frame.length; i++) {
      const v = Math.min(1, Math.max(0, frame[i]));
      if (v >= 0.02) rows.push({ f: values[f], i, v: Math.round(v * 100) / 100 });
    }
  });
  const pixel = opts.pixel ?? 5;
  const captions = opts.captions ?? [];
  // a frame is shown while the slider is within half a step of its value
  const shown = `abs(datum.f - ${opts.param}) < ${step / 2}`;
  return {
    ...base(opts.title, n * (side + 2) * pixel, side * pixel),
    view: { stroke: null },
    params: [
      sliderParam(opts.param, {
        min: values[0],
        max: values[values.length - 1],
        step,
        value: values[0],
        label: opts.label,
      }),
    ],
    layer: [
      {
        data: { values: rows },
        transform: [
          { filter: shown },
          // image k of the frame at column k; pixel i's row and column inside it
          { calculate: `floor(datum.i / ${per})`, as: 'k' },
          { calculate: `floor(datum.i / ${per}) * ${side + 2} + datum.i % ${side}`, as: 'x' },
          { calculate: `floor((datum.i % ${per}) / ${side})`, as: 'y' },
        ],
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'x', type: 'ordinal', axis: null, scale: { domain: xDomain(n, side) } },
          y: { field: 'y', type: 'ordinal', axis: null, scale: { domain: range(side) } },
          color: {
            field: 'v',
            type: 'quantitative',
            scale: { domain: [0, 1], range: ['white', 'black'] },
            legend: null,
          },
        },
      },
      ...(captions.length
        ? [
            {
              data: {
                values: captions.map((c, k) => ({ x: k * (side + 2) + side / 2, caption: c })),
              },
              mark: { type: 'text', dy: -8, fontSize: 12 },
              encoding: {
                x: { field: 'x', type: 'ordinal' },
                y: { value: 0 },
                text: { field: 'caption' },
              },
            },
          ]
        : []),
    ],
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
// every column of n images of `side` pixels with 2 blank columns between them
const xDomain = (n: number, side: number) => range(n * (side + 2) - 2);

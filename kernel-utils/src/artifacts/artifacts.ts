/**
 * Artifacts of a notebook run, under build/artifacts/<notebook>/: metrics.json, one entry per
 * (model, mode, dataset) — a re-run replaces its own entry — and, per mode, the samples as .npy
 * (+ a PNG grid) with what they were asked for, in build/artifacts/<notebook>/<mode>/. Samples are
 * kept apart by mode so that a quick run (the tests) never replaces a standard run's samples that
 * the leaderboard or a later chapter reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildDir } from '../book/paths';
import { Mode, MODES, mode } from '../book/mode';
import { writeFileAtomic } from './fsutil';
import { saveNpy, NpyArray } from './npy';
import { GridOptions, imageGridPng } from '../display/grid';

export function artifactsDir(notebook: string): string {
  if (!/^[\w.-]+$/.test(notebook))
    throw new Error(
      `artifacts: notebook name "${notebook}" must be letters, digits, '.', '-' or '_'`,
    );
  return path.join(buildDir(), 'artifacts', notebook);
}

/**
 * Where a notebook's samples of one mode (default: this run's) and their requested labels or
 * prompts go: build/artifacts/<notebook>/<mode>/.
 */
export function samplesDir(notebook: string, m: Mode = mode()): string {
  if (!(MODES as readonly string[]).includes(m))
    throw new Error(
      `samplesDir(${notebook}): "${m}" is not a mode: use one of ${MODES.join(', ')}`,
    );
  return path.join(artifactsDir(notebook), m);
}

/**
 * Save samples as `<name>.npy` (shape as given, e.g. N×28×28) and `<name>.png` (a grid of at most
 * `gridMax` of them) in `samplesDir(notebook)`, this mode's folder. Returns both paths.
 */
export function saveSamples(
  notebook: string,
  name: string,
  samples: tf.Tensor | { data: NpyArray; shape: number[] },
  opts: GridOptions & { gridMax?: number } = {},
): { npy: string; png: string } {
  const dir = samplesDir(notebook);
  const npy = path.join(dir, `${name}.npy`);
  const png = path.join(dir, `${name}.png`);
  const data = samples instanceof tf.Tensor ? (samples.dataSync() as Float32Array) : samples.data;
  // samples are images in [0, 1]: what the leaderboard and `npm run metrics` read
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!(v >= 0 && v <= 1))
      throw new Error(
        `saveSamples(${notebook}, ${name}): value ${v} at index ${i} is not in [0, 1]; ` +
          'samples are images: clip or rescale them before saving',
      );
  }
  saveNpy(npy, samples);
  const shape = samples instanceof tf.Tensor ? samples.shape : samples.shape;
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const count = Math.min(shape[0], opts.gridMax ?? 100);
  const h = opts.height ?? (shape.length >= 3 ? shape[1] : Math.round(Math.sqrt(per)));
  const w = opts.width ?? (shape.length >= 3 ? shape[2] : Math.round(per / h));
  writeFileAtomic(
    png,
    imageGridPng(Float32Array.from(data.subarray(0, count * per)), {
      ...opts,
      height: h,
      width: w,
    }),
  );
  return { npy, png };
}

export type MetricValue = number | string | boolean | null | Record<string, number>;

/**
 * What a recorded number is, declared by the chapter that records it, so that the leaderboard
 * (chapter 14) reads it instead of a list of names:
 *  - 'lower' / 'higher': a score where lower (higher) is better, comparable across chapters
 *    (held-out NLL in nats, test accuracy, KID…);
 *  - { better, comparable: false }: a score that only means something within its chapter
 *    (a training loss, an accuracy on a toy set);
 *  - 'setting': describes the run (epochs, k, sample counts), not a score.
 */
export type MetricDeclaration =
  | 'lower'
  | 'higher'
  | 'setting'
  | { better: 'lower' | 'higher'; comparable: boolean };

/** A declaration in its stored form. */
export interface MetricKind {
  kind: 'score' | 'setting';
  better?: 'lower' | 'higher';
  comparable: boolean;
}

export interface MetricsEntry {
  model: string;
  mode: string;
  dataset: string;
  backend: string;
  recordedAt: string;
  metrics: Record<string, MetricValue>;
  /** One declaration per metric (entries written before declarations existed have none). */
  declared?: Record<string, MetricKind>;
}

function metricKind(d: MetricDeclaration): MetricKind {
  if (d === 'setting') return { kind: 'setting', comparable: false };
  if (d === 'lower' || d === 'higher') return { kind: 'score', better: d, comparable: true };
  return { kind: 'score', better: d.better, comparable: d.comparable };
}

/** Read build/artifacts/<notebook>/metrics.json (an empty list if none). */
export function readMetrics(notebook: string): MetricsEntry[] {
  const file = path.join(artifactsDir(notebook), 'metrics.json');
  if (!fs.existsSync(file)) return [];
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) throw new Error('not a list');
    return parsed;
  } catch (e) {
    throw new Error(
      `${file}: not a valid metrics list (${(e as Error).message}); delete it to start over`,
    );
  }
}

/**
 * Record a model's metrics in build/artifacts/<notebook>/metrics.json. Every number must be
 * declared in `opts.declare` (see MetricDeclaration): which direction is better and whether it
 * compares across chapters, or that it is a setting. The entry for the same model, mode and
 * dataset is replaced; every other entry is kept. Written atomically. Returns nothing, so a cell
 * ending with it prints nothing more (readMetrics reads the entries back).
 */
export function recordMetrics(
  notebook: string,
  model: string,
  metrics: Record<string, MetricValue>,
  opts: { dataset?: string; declare?: Record<string, MetricDeclaration> } = {},
): void {
  const declare = opts.declare ?? {};
  const declared: Record<string, MetricKind> = {};
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new Error(`recordMetrics(${notebook}, ${model}): metric "${k}" is ${v}`);
    const d = declare[k];
    if (d === undefined) {
      if (typeof v === 'number' || (typeof v === 'object' && v !== null))
        throw new Error(
          `recordMetrics(${notebook}, ${model}): metric "${k}" is not declared: add it to ` +
            "opts.declare as 'lower', 'higher', 'setting' or { better, comparable: false }",
        );
      continue;
    }
    declared[k] = metricKind(d);
  }
  for (const k of Object.keys(declare)) {
    if (!(k in metrics))
      throw new Error(`recordMetrics(${notebook}, ${model}): "${k}" is declared but not recorded`);
  }
  const entry: MetricsEntry = {
    model,
    mode: mode(),
    dataset: opts.dataset ?? 'mnist-embedded',
    backend: tf.getBackend(),
    recordedAt: new Date().toISOString(),
    metrics,
    declared,
  };
  const kept = readMetrics(notebook).filter(
    (e) => !(e.model === entry.model && e.mode === entry.mode && e.dataset === entry.dataset),
  );
  kept.push(entry);
  writeFileAtomic(path.join(artifactsDir(notebook), 'metrics.json'), JSON.stringify(kept, null, 1));
}

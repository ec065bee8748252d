/**
 * Checkpoints without tfjs-node: weights in TensorFlow.js's own format (model.json with a
 * weightsManifest + weights.bin; a Layers model's topology is included, so
 * `tf.loadLayersModel` can read it too) and meta.json with the config and training history.
 * A checkpoint folder is replaced atomically: a crash while saving leaves the old one intact.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildDir } from '../book/paths';
import { mode } from '../book/mode';
import { replaceDirAtomic } from '../artifacts/fsutil';

/** What a checkpoint holds: a Layers model, several (e.g. an encoder and a decoder), a list of variables, or named variables. */
export type Trainable =
  | tf.LayersModel
  | tf.LayersModel[]
  | tf.Variable[]
  | Record<string, tf.Variable>;

export interface CheckpointMeta {
  name: string;
  config: unknown;
  mode: string;
  backend: string;
  savedAt: string;
  history?: unknown;
  [key: string]: unknown;
}

function isLayersModel(t: Trainable): t is tf.LayersModel {
  return t instanceof tf.LayersModel;
}

type WeightEntry = { name: string; value: tf.Tensor; assign: (v: tf.Tensor) => void };

/** A Layers model's weights, named as tf.loadLayersModel expects (`prefix` keeps several models apart). */
function layersModelWeights(m: tf.LayersModel, prefix = ''): WeightEntry[] {
  return m.weights.map((w) => ({
    name: `${prefix}${w.originalName ?? w.name}`,
    value: w.read(),
    assign: (v) => w.write(v),
  }));
}

/** The weights of a Trainable, in a fixed order, with names. */
function weightList(t: Trainable): WeightEntry[] {
  if (isLayersModel(t)) return layersModelWeights(t);
  if (Array.isArray(t) && (t as unknown[]).every((m) => m instanceof tf.LayersModel)) {
    return (t as tf.LayersModel[]).flatMap((m, k) => layersModelWeights(m, `${k}/`));
  }
  if (Array.isArray(t))
    return (t as tf.Variable[]).map((v, i) => ({
      name: `${i}/${v.name}`,
      value: v,
      assign: (x: tf.Tensor) => v.assign(x),
    }));
  return Object.keys(t)
    .sort()
    .map((k) => ({ name: k, value: t[k], assign: (x) => t[k].assign(x) }));
}

/** build/checkpoints/<notebook>/<mode>/<name>: quick-mode models never shadow standard ones. */
export function checkpointDir(notebook: string, name: string, m: string = mode()): string {
  return path.join(buildDir(), 'checkpoints', notebook, m, name);
}

/** Save weights (and meta) to `dir`, atomically. */
export async function saveCheckpoint(
  dir: string,
  model: Trainable,
  meta: Partial<CheckpointMeta> = {},
): Promise<void> {
  const weights = weightList(model);
  const named: tf.NamedTensorMap = {};
  const seen = new Set<string>();
  for (const w of weights) {
    if (seen.has(w.name))
      throw new Error(`saveCheckpoint(${dir}): two weights are both named "${w.name}"`);
    seen.add(w.name);
    named[w.name] = w.value;
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const modelJson: Record<string, unknown> = {
    format: isLayersModel(model) ? 'layers-model' : 'variables',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'generative-notebooks kernel-utils',
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  if (isLayersModel(model)) modelJson.modelTopology = model.toJSON(undefined, false);
  const fullMeta: CheckpointMeta = {
    name: path.basename(dir),
    config: null,
    mode: mode(),
    backend: tf.getBackend(),
    savedAt: new Date().toISOString(),
    ...meta,
  };
  replaceDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'weights.bin'), Buffer.from(data));
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(fullMeta, null, 1));
  });
}

/** True when `dir` holds a complete checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return ['model.json', 'weights.bin', 'meta.json'].every((f) => fs.existsSync(path.join(dir, f)));
}

/**
 * Load the weights saved in `dir` into `model` (same architecture: same number of weights,
 * same shapes, in the same order). Returns the checkpoint's meta. Throws naming the folder
 * and the mismatch.
 */
export async function loadCheckpoint(dir: string, model: Trainable): Promise<CheckpointMeta> {
  if (!hasCheckpoint(dir))
    throw new Error(
      `${dir}: no complete checkpoint here (needs model.json, weights.bin, meta.json)`,
    );
  let modelJson: { weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[] };
  let meta: CheckpointMeta;
  try {
    modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  } catch (e) {
    throw new Error(`${dir}: model.json or meta.json is not valid JSON (${(e as Error).message})`);
  }
  const specs = modelJson.weightsManifest?.[0]?.weights;
  if (!specs) throw new Error(`${path.join(dir, 'model.json')}: no weightsManifest`);
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const expectedBytes = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bin.length !== expectedBytes)
    throw new Error(
      `${path.join(dir, 'weights.bin')}: ${bin.length} bytes, the manifest describes ${expectedBytes}`,
    );
  const targets = weightList(model);
  if (targets.length !== specs.length) {
    throw new Error(
      `${dir}: the checkpoint holds ${specs.length} weights but the model has ${targets.length} — the architecture changed`,
    );
  }
  const decoded = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length),
    specs,
  );
  try {
    specs.forEach((s, i) => {
      const want = targets[i].value.shape;
      if (s.shape.length !== want.length || s.shape.some((d, j) => d !== want[j])) {
        throw new Error(
          `${dir}: weight ${i} ("${s.name}") has shape [${s.shape}] in the checkpoint but [${want}] in the model — the architecture changed`,
        );
      }
    });
    specs.forEach((s, i) => targets[i].assign(decoded[s.name]));
  } finally {
    tf.dispose(decoded);
  }
  return meta;
}

export interface LoadOrTrainOptions<T> {
  /** Notebook name (for the folder) and checkpoint name. */
  notebook: string;
  name: string;
  model: Trainable;
  /** Everything that defines the trained result (sizes, epochs, learning rate…); a different config retrains. */
  config?: unknown;
  /** Trains `model` in place; its result (e.g. the history) is stored in meta.json. */
  train: () => Promise<T>;
  /** Ignore a saved checkpoint (default: BOOK_RETRAIN=1). */
  retrain?: boolean;
  log?: (s: string) => void;
}

/**
 * Reuse a trained model when one with the same config was saved before (this mode, this
 * notebook); otherwise train it and save it. Returns the training result (fresh or stored).
 */
export async function loadOrTrain<T>(
  opts: LoadOrTrainOptions<T>,
): Promise<{ result: T; trained: boolean; dir: string; reason: string }> {
  const dir = checkpointDir(opts.notebook, opts.name);
  const log = opts.log ?? ((s: string) => console.log(s));
  const retrain = opts.retrain ?? process.env.BOOK_RETRAIN === '1';
  const config = opts.config ?? null;
  let reason: string;
  if (retrain) reason = 'retraining as asked (retrain / BOOK_RETRAIN=1)';
  else if (!hasCheckpoint(dir)) reason = 'no checkpoint yet';
  else {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
    if (JSON.stringify(meta.config) !== JSON.stringify(config))
      reason = 'the config changed since the checkpoint was saved';
    else {
      try {
        const loaded = await loadCheckpoint(dir, opts.model);
        const msg = `${opts.name}: loaded the checkpoint saved ${loaded.savedAt} on ${loaded.backend} (${path.relative(process.cwd(), dir) || dir}); set BOOK_RETRAIN=1 to train again`;
        log(msg);
        return { result: loaded.history as T, trained: false, dir, reason: msg };
      } catch (e) {
        reason = `the checkpoint could not be used (${(e as Error).message})`;
      }
    }
  }
  log(`${opts.name}: training — ${reason}`);
  const result = await opts.train();
  await saveCheckpoint(dir, opts.model, { name: opts.name, config, history: result });
  return { result, trained: true, dir, reason };
}

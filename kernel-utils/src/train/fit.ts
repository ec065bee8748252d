/**
 * A training loop for the book: mini-batches drawn by a seeded shuffle, one optimizer step per
 * batch, progress updated in place, a guard that stops on a NaN/Inf loss with a clear message,
 * and no leaked tensors (every step is tidied; each epoch leaves tf.memory() as it found it,
 * apart from optimizer slots created on the very first step, which are freed at the end unless
 * keepOptimizer is set).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, opSeed } from '../book/random';
import { Progress } from '../display/progress';

export type HistoryRow = { epoch: number; loss: number; seconds: number } & Record<string, number>;
export type History = HistoryRow[];

export interface FitOptions {
  /** Label shown by the progress display and in error messages. */
  name?: string;
  /** Tensors whose first axis indexes the examples (e.g. [x] or [x, y]); batches gather the same rows of each. */
  data: tf.Tensor | tf.Tensor[];
  /** The loss of one batch: called inside `optimizer.minimize`, so the gradient flows through it. */
  loss: (batch: tf.Tensor[]) => tf.Scalar;
  optimizer: tf.Optimizer;
  epochs: number;
  batchSize: number;
  /** Variables to train (default: every trainable variable the loss touches). */
  varList?: tf.Variable[];
  /** Shuffle before each epoch (default true), seeded by `seed` (default: drawn from the seeded stream). */
  shuffle?: boolean;
  seed?: number;
  /** Per-epoch extra numbers (e.g. validation loss). Tensors made inside are disposed afterwards. */
  onEpochEnd?: (
    epoch: number,
    row: HistoryRow,
  ) => Record<string, number> | void | Promise<Record<string, number> | void>;
  /**
   * Keep the optimizer (and its moment estimates) after training, e.g. to continue with another
   * fit call. Default false: fit disposes it at the end, so a re-run training cell frees them.
   */
  keepOptimizer?: boolean;
  /**
   * Called after every optimizer step with the number of steps taken so far (1, 2, …), outside the
   * gradient tape: e.g. to update an exponential moving average of the weights. Tensors made
   * inside are disposed afterwards.
   */
  afterStep?: (step: number) => void;
  /** Show progress (default true). */
  progress?: boolean;
  /** How often the running loss is read back for progress and the NaN guard, in ms (default 500). */
  checkEveryMs?: number;
}

/** Thrown when the loss becomes NaN or infinite. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly runName: string,
    readonly epoch: number,
    readonly step: number,
    readonly value: number,
  ) {
    super(
      `${runName}: the loss became ${value} at epoch ${epoch}, by step ${step}. Training stopped. ` +
        'Usual causes: a learning rate too high, log(0) in the loss (clip probabilities or use logits), or inputs outside the expected range.',
    );
    this.name = 'NonFiniteLossError';
  }
}

function numRows(data: tf.Tensor[]): number {
  const n = data[0].shape[0];
  for (const t of data) {
    if (t.shape[0] !== n)
      throw new Error(
        `fit: every data tensor needs the same number of rows; got ${data.map((d) => d.shape[0]).join(', ')}`,
      );
  }
  return n;
}

/** Train with mini-batches; returns one history row per epoch ({epoch, loss, seconds, …extras}). */
export async function fit(opts: FitOptions): Promise<History> {
  const name = opts.name ?? 'training';
  const data = Array.isArray(opts.data) ? opts.data : [opts.data];
  if (data.length === 0) throw new Error('fit: data is empty');
  const n = numRows(data);
  if (!(opts.batchSize >= 1)) throw new Error(`fit: batchSize must be ≥ 1, got ${opts.batchSize}`);
  if (!(opts.epochs >= 1)) throw new Error(`fit: epochs must be ≥ 1, got ${opts.epochs}`);
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  const rng = new Rng(opts.seed ?? opSeed());
  const showProgress = opts.progress ?? true;
  const progress = showProgress ? new Progress(name, opts.epochs * stepsPerEpoch) : null;
  const checkEvery = opts.checkEveryMs ?? 500;
  const history: History = [];

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const t0 = Date.now();
    const order =
      opts.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
    let sum: tf.Scalar = tf.scalar(0);
    let lastCheck = Date.now();
    let seen = 0;
    try {
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.subarray(s * opts.batchSize, Math.min(n, (s + 1) * opts.batchSize));
        const b = idx.length;
        const cost = tf.tidy(() => {
          const indices = tf.tensor1d(idx, 'int32');
          const batch = data.map((t) => tf.gather(t, indices));
          const c = opts.optimizer.minimize(() => opts.loss(batch), true, opts.varList);
          if (!c) throw new Error(`${name}: the loss function returned nothing`);
          return c;
        });
        if (opts.afterStep) {
          const step = (epoch - 1) * stepsPerEpoch + s + 1;
          tf.tidy(() => opts.afterStep!(step));
        }
        const next = tf.tidy(() => sum.add(cost.mul(b)) as tf.Scalar);
        sum.dispose();
        cost.dispose();
        sum = next;
        seen += b;
        const last = s === stepsPerEpoch - 1;
        if (last || Date.now() - lastCheck >= checkEvery) {
          lastCheck = Date.now();
          const mean = (await sum.data())[0] / seen;
          if (!Number.isFinite(mean)) throw new NonFiniteLossError(name, epoch, s + 1, mean);
          progress?.update((epoch - 1) * stepsPerEpoch + s + 1, {
            epoch: `${epoch}/${opts.epochs}`,
            loss: mean,
          });
          await new Promise((r) => setImmediate(r)); // let the kernel send the update
        }
      }
      const loss = (await sum.data())[0] / n;
      const row: HistoryRow = { epoch, loss, seconds: (Date.now() - t0) / 1000 };
      if (opts.onEpochEnd) {
        tf.engine().startScope();
        try {
          const extra = await opts.onEpochEnd(epoch, row);
          if (extra) {
            for (const [k, v] of Object.entries(extra)) {
              if (typeof v !== 'number')
                throw new Error(`${name}: onEpochEnd must return numbers; "${k}" is ${typeof v}`);
              row[k] = v;
            }
          }
        } finally {
          tf.engine().endScope();
        }
      }
      history.push(row);
      const shown: Record<string, number | string> = { epoch: `${epoch}/${opts.epochs}` };
      for (const [k, v] of Object.entries(row)) if (k !== 'epoch' && k !== 'seconds') shown[k] = v;
      progress?.update(epoch * stepsPerEpoch, shown, true);
    } finally {
      sum.dispose();
    }
  }
  progress?.finish();
  if (!opts.keepOptimizer) opts.optimizer.dispose();
  return history;
}

/** Mean of `fn(batch)` over `data` in batches, without gradients or leaks (e.g. a test loss). */
export function evaluateInBatches(
  data: tf.Tensor | tf.Tensor[],
  fn: (batch: tf.Tensor[]) => tf.Scalar,
  batchSize = 500,
): number {
  const ts = Array.isArray(data) ? data : [data];
  const n = numRows(ts);
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const v = tf.tidy(
      () =>
        fn(ts.map((t) => t.slice(start, b)))
          .mul(b)
          .dataSync()[0],
    );
    total += v;
  }
  return total / n;
}

/**
 * evaluateInBatches with asynchronous reads: the same mean, for backends that cannot read a GPU
 * tensor synchronously (tfjs' webgpu backend in Node, where dataSync needs OffscreenCanvas).
 */
export async function evaluateInBatchesAsync(
  data: tf.Tensor | tf.Tensor[],
  fn: (batch: tf.Tensor[]) => tf.Scalar,
  batchSize = 500,
): Promise<number> {
  const ts = Array.isArray(data) ? data : [data];
  const n = numRows(ts);
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const sum = tf.tidy(() => fn(ts.map((t) => t.slice(start, b))).mul(b));
    total += (await sum.data())[0];
    sum.dispose();
  }
  return total / n;
}

/**
 * Holding a notebook's models by name, so that re-running a cell frees what it replaces.
 * `const vae = nb.keep('vae', buildVae(…))` disposes whatever the notebook held as 'vae' before
 * (a Layers model, a tensor or variable, an optimizer, or an array / object of these) and holds
 * the new value. Re-running a training cell in Jupyter then leaves tf.memory().numTensors as it
 * was. The registry lives in the kernel process, so it outlives a re-run of the first cell.
 */
import * as tf from '@tensorflow/tfjs';

const held = new Map<string, unknown>();

interface Disposable {
  dispose(): void;
}

function isDisposable(v: unknown): v is Disposable {
  return typeof v === 'object' && v !== null && typeof (v as Disposable).dispose === 'function';
}

/** The disposable things inside `value`: itself, or the members of an array or plain object. */
export function disposablesIn(
  value: unknown,
  found = new Set<Disposable>(),
  depth = 0,
): Set<Disposable> {
  if (depth > 4 || value === null || typeof value !== 'object') return found;
  // pixel arrays and the like hold numbers only: never walk their (millions of) elements
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return found;
  if (isDisposable(value)) {
    found.add(value);
    return found;
  }
  const members = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const m of members) disposablesIn(m, found, depth + 1);
  return found;
}

function alreadyDisposed(d: Disposable): boolean {
  if (d instanceof tf.Tensor) return d.isDisposed;
  return false;
}

/**
 * Layers models first, the largest first: a model built from others ({encoder, decoder,
 * autoencoder}) must be disposed before its parts, or its own dispose stops at the first part
 * already disposed and leaves the other parts' weights alive.
 */
function disposalOrder(found: Set<Disposable>): Disposable[] {
  const size = (d: Disposable) => (d instanceof tf.LayersModel ? d.weights.length : -1);
  return [...found].sort((a, b) => size(b) - size(a));
}

/**
 * Hold `value` as `key`, disposing what `key` held before (except the parts the new value
 * still contains). Returns `value`.
 */
export function keepModel<T>(key: string, value: T): T {
  const before = held.get(key);
  if (before !== undefined && before !== value) {
    const keepNow = disposablesIn(value);
    for (const d of disposalOrder(disposablesIn(before))) {
      if (keepNow.has(d) || alreadyDisposed(d)) continue;
      try {
        d.dispose();
      } catch (e) {
        // a Layers model disposed by hand before the re-run says so; anything else is a bug
        if (!/disposed/i.test((e as Error).message)) throw e;
      }
    }
  }
  held.set(key, value);
  return value;
}

/** Dispose and forget everything held under keys starting with `prefix` (e.g. a notebook's). */
export function releaseModels(prefix: string): void {
  for (const key of [...held.keys()]) {
    if (!key.startsWith(prefix)) continue;
    keepModel(key, null);
    held.delete(key);
  }
}

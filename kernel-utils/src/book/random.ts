/**
 * Seeded randomness. TensorFlow.js has no global seed: unseeded ops, weight initializers and
 * `model.fit`'s shuffling draw from `Math.random`. `seedEverything` replaces `Math.random` with
 * a seeded generator, so the same seed on the same backend gives the same numbers; `Rng` is an
 * explicit generator for data sampling, and `opSeed()` gives integer seeds for tf ops.
 */
import seedrandom from 'seedrandom';

type Prng = () => number;

const nativeRandom = Math.random;
let global: Prng | null = null;
let currentSeed: number | null = null;

/** Seed `Math.random` (and with it every unseeded tfjs op). Returns the seed. */
export function seedEverything(seed: number): number {
  if (!Number.isInteger(seed))
    throw new Error(`seedEverything: seed must be an integer, got ${seed}`);
  global = seedrandom.alea(String(seed));
  currentSeed = seed;
  Math.random = global;
  return seed;
}

/** Put the unseeded `Math.random` back. */
export function unseed(): void {
  Math.random = nativeRandom;
  global = null;
  currentSeed = null;
}

/** The seed given to the last `seedEverything`, or null. */
export function currentGlobalSeed(): number | null {
  return currentSeed;
}

/**
 * A fresh integer seed for a tf op (`tf.randomNormal(shape, 0, 1, 'float32', opSeed())`), drawn
 * from the seeded stream. Never 0: tfjs treats seed 0 as "unseeded".
 */
export function opSeed(): number {
  return 1 + Math.floor(Math.random() * 2147483646);
}

/** An explicit, seeded random number generator for data sampling. */
export class Rng {
  private readonly next: Prng;
  private spare: number | null = null;
  constructor(readonly seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    this.next = seedrandom.alea(String(seed));
  }
  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }
  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal N(0, 1) by the Box–Muller transform. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

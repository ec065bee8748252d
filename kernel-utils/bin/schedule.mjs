// Running the book's notebooks several at a time, each after the chapters it reads from.
//
// A notebook declares what it needs in its own metadata, not here:
//   "metadata": { "book": { "after": ["07"] } }    — runs after the notebooks starting with 07
//   "metadata": { "book": { "after": "all" } }     — runs after every other notebook of the run
// Only the notebooks of the same run count: `npm run book -- 08` runs 08 alone (it then trains
// what it would have loaded).
import os from 'node:os';
import path from 'node:path';
import { readNotebook } from './cells.mjs';

/** How many notebooks run at once by default: BOOK_JOBS, else the number of cores. */
export function defaultJobs() {
  const fromEnv = process.env.BOOK_JOBS;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`BOOK_JOBS="${fromEnv}" is not a whole number ≥ 1`);
    return n;
  }
  return typeof os.availableParallelism === 'function'
    ? os.availableParallelism()
    : os.cpus().length;
}

/**
 * The environment of a kernel the runner starts. A kernel that shares the cores with other
 * kernels (`alone` false) runs its wasm backend on one thread, whatever BOOK_WASM_THREADS says;
 * one that runs alone — the only notebook running, and every notebook not yet started waiting
 * for it (chapter 14, say) — gets the environment's BOOK_WASM_THREADS (auto: one thread, two
 * measured no faster), so `BOOK_WASM_THREADS=2 npm run book` gives two threads only there.
 */
export function kernelEnv(alone) {
  return alone ? {} : { BOOK_WASM_THREADS: '1' };
}

/** The files among `notebooks` that `file` must run after (its metadata.book.after). */
export function runsAfter(file, notebooks) {
  const after = readNotebook(file).metadata?.book?.after ?? [];
  const others = notebooks.filter((f) => f !== file);
  if (after === 'all') return others;
  if (!Array.isArray(after) || after.some((p) => typeof p !== 'string')) {
    throw new Error(
      `${path.basename(file)}: metadata.book.after must be "all" or a list of chapter prefixes`,
    );
  }
  return others.filter((f) => after.some((p) => path.basename(f).startsWith(p)));
}

/** The notebooks' order constraints: file → files it runs after. Throws on a cycle. */
export function dependencies(notebooks) {
  const deps = new Map(notebooks.map((f) => [f, runsAfter(f, notebooks)]));
  // a notebook that runs after "all" must not also be waited for by another "all" (a cycle)
  const state = new Map();
  const visit = (f, trail) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') {
      throw new Error(
        `the notebooks wait for each other: ${[...trail, f].map((x) => path.basename(x)).join(' → ')}`,
      );
    }
    state.set(f, 'visiting');
    for (const d of deps.get(f)) visit(d, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of notebooks) visit(f, []);
  return deps;
}

/**
 * A notebook's standard-mode minutes on the 2-core machine with one thread, as its metadata
 * declares them ("book": {"minutes": 8}): only to order the runs, longest first. Default 1.
 */
export function declaredMinutes(file) {
  const m = readNotebook(file).metadata?.book?.minutes;
  if (m === undefined) return 1;
  if (!(typeof m === 'number' && m > 0))
    throw new Error(`${path.basename(file)}: metadata.book.minutes must be a positive number`);
  return m;
}

/** For each notebook: its minutes plus the longest chain of minutes of those that wait for it. */
export function criticalPaths(notebooks, deps = dependencies(notebooks)) {
  const waiters = new Map(notebooks.map((f) => [f, []]));
  for (const f of notebooks) for (const d of deps.get(f)) waiters.get(d).push(f);
  const memo = new Map();
  const path_ = (f) => {
    if (!memo.has(f))
      memo.set(f, declaredMinutes(f) + Math.max(0, ...waiters.get(f).map((w) => path_(w))));
    return memo.get(f);
  };
  for (const f of notebooks) path_(f);
  return memo;
}

/**
 * Run `run(file)` (a promise) for every notebook, at most `jobs` at once, each only after the
 * notebooks it runs after have finished (whether they succeeded or not: the order only makes a
 * checkpoint or artifact available), the head of the longest chain first. `run(file, { alone })`
 * is told whether the notebook runs alone — one job at a time, or nothing else running and every
 * notebook not yet started waiting for it — so that it may use every core. Returns a Map file → promise of run's result; `onStart` and
 * `onDone(file, result)` report progress.
 */
export function runScheduled(notebooks, { jobs, run, onStart = () => {}, onDone = () => {} }) {
  if (!(Number.isInteger(jobs) && jobs >= 1))
    throw new Error(`jobs must be a whole number ≥ 1, got ${jobs}`);
  const deps = dependencies(notebooks);
  const finished = new Set();
  const started = new Set();
  const settle = new Map();
  const results = new Map(
    notebooks.map((f) => [f, new Promise((resolve, reject) => settle.set(f, { resolve, reject }))]),
  );
  // start first the notebook at the head of the longest chain still to run: its own minutes
  // (metadata.book.minutes) plus the longest chain of the notebooks that wait for it; ties keep
  // the book's order. With 2 jobs this starts 10 and 11 first (12.8, 4.8 minutes), not 00 and 01.
  const chain = criticalPaths(notebooks, deps);
  const order = [...notebooks].sort((a, b) => chain.get(b) - chain.get(a));
  // everything a notebook waits for, directly or through others
  const upstream = new Map();
  const closure = (f) => {
    if (!upstream.has(f)) {
      const all = new Set();
      for (const d of deps.get(f)) {
        all.add(d);
        for (const u of closure(d)) all.add(u);
      }
      upstream.set(f, all);
    }
    return upstream.get(f);
  };
  let running = 0;
  const pump = () => {
    for (const f of order) {
      if (running >= jobs) return;
      if (started.has(f) || !deps.get(f).every((d) => finished.has(d))) continue;
      started.add(f);
      const alone =
        jobs === 1 ||
        (running === 0 && notebooks.every((g) => started.has(g) || closure(g).has(f)));
      running++;
      onStart(f, { alone });
      Promise.resolve()
        .then(() => run(f, { alone }))
        .then(
          (r) => {
            onDone(f, r);
            settle.get(f).resolve(r);
          },
          (e) => settle.get(f).reject(e),
        )
        .finally(() => {
          running--;
          finished.add(f);
          pump();
        });
    }
  };
  pump();
  return results;
}

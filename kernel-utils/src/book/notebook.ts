/**
 * The first cell of every notebook: `const nb = await setupNotebook('03-gmm')` seeds the run,
 * picks the backend, and prints the mode, the backend (and why the better ones were not used),
 * the seed and the versions, so every executed notebook says how it was made.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendReport, describeBackend, initBackend } from '../backend/backend';
import { Mode, byMode, mode } from './mode';
import { seedEverything } from './random';
import { displayBundle, escapeHtml } from '../display/jupyter';
import { artifactsDir, samplesDir } from '../artifacts/artifacts';
import { keepModel } from './keep';

export interface NotebookContext {
  name: string;
  mode: Mode;
  seed: number;
  backend: BackendReport;
  /** build/artifacts/<notebook>/: metrics.json (entries carry their mode) */
  artifactsDir: string;
  /** build/artifacts/<notebook>/<mode>/: this mode's samples and what they were asked for */
  samplesDir: string;
  /** Pick a value for this run's mode: `nb.byMode({quick: 1, standard: 20, full: 100})`. */
  byMode<T>(values: { quick: T; standard: T; full?: T }): T;
  /**
   * Hold a model (or tensor, optimizer, array or object of them) by name for this notebook:
   * what the name held before is disposed, so a re-run cell frees the model it replaces.
   * `const vae = nb.keep('vae', buildVae(20, 400));`
   */
  keep<T>(name: string, value: T): T;
}

export async function setupNotebook(
  name: string,
  opts: { seed?: number; quiet?: boolean } = {},
): Promise<NotebookContext> {
  const m = mode();
  const seed = opts.seed ?? (process.env.BOOK_SEED ? Number(process.env.BOOK_SEED) : 0);
  if (!Number.isInteger(seed))
    throw new Error(`BOOK_SEED="${process.env.BOOK_SEED}" is not an integer`);
  const backend = await initBackend();
  seedEverything(seed);
  const ctx: NotebookContext = {
    name,
    mode: m,
    seed,
    backend,
    artifactsDir: artifactsDir(name),
    samplesDir: samplesDir(name, m),
    byMode: (v) => byMode(v, m),
    keep: (key, value) => keepModel(`${name}/${key}`, value),
  };
  if (!opts.quiet) {
    const text = [
      `${name} · mode ${m} · seed ${seed}`,
      describeBackend(backend),
      `tfjs ${tf.version.tfjs} · node ${process.version} · artifacts: ${ctx.artifactsDir}`,
    ].join('\n');
    const rows = backend.attempts
      .map(
        (a) =>
          `<tr><td>${a.outcome === 'chosen' ? '✔' : a.outcome === 'not tried' ? '·' : '✘'}</td><td style="text-align:left"><code>${a.backend}</code></td><td style="text-align:left">${escapeHtml(a.why)}</td></tr>`,
      )
      .join('');
    const html =
      `<div><b>${escapeHtml(name)}</b> · mode <code>${m}</code> (set <code>BOOK_MODE</code>: quick, standard, full) · seed <code>${seed}</code> · ` +
      `backend <code>${backend.name}</code>${backend.gpu ? ' (GPU)' : ''} · tfjs ${tf.version.tfjs} · node ${process.version}</div>` +
      `<table style="font-size:12px">${rows}</table>`;
    displayBundle({ 'text/html': html, 'text/plain': text });
  }
  return ctx;
}

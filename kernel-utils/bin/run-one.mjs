// `node kernel-utils/bin/run-one.mjs NN [--mode quick|standard] [--build DIR] [--rerun-tagged TAG]`:
// execute the notebooks whose names start with NN through the real kernel, writing the executed
// copies to <build>/try/ (not to the book), and print each failing cell with its stderr. For
// working on a chapter: `--build /tmp/x` keeps its artifacts and checkpoints apart.
import path from 'node:path';
import { listNotebooks, runNotebook, ensureJupyter } from './jupyter.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const mode = opt('--mode', 'quick');
const build = opt('--build', null);
const rerun = opt('--rerun-tagged', null);
const prefixes = args;
if (prefixes.length === 0) {
  console.error('usage: run-one.mjs NN [NN…] [--mode quick] [--build DIR] [--rerun-tagged TAG]');
  process.exit(2);
}
const python = ensureJupyter('run');
const env = build ? { BOOK_BUILD: path.resolve(build) } : {};
let failed = 0;
for (const nb of listNotebooks().filter((f) =>
  prefixes.some((p) => path.basename(f).startsWith(p)),
)) {
  const base = path.basename(nb, '.ipynb');
  const out = path.join(
    build ? path.resolve(build) : path.resolve('build'),
    'try',
    `${base}.ipynb`,
  );
  const r = runNotebook(nb, out, { mode, python, env, progress: true, rerunTagged: rerun });
  console.log(`${base}: ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)} s → ${out}`);
  if (!r.ok) {
    failed++;
    process.stderr.write(r.stderr);
  }
}
process.exit(failed ? 1 : 0);

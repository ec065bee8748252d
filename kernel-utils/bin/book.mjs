// `npm run book`: execute every notebook through the real tslab kernel (BOOK_MODE, default
// standard) and write the executed notebooks, one HTML page each and an index page to
// build/book/. Extra arguments select notebooks by name prefix: `npm run book -- 00 03`.
// `--jobs N` (or BOOK_JOBS) runs up to N notebooks at once, each in its own kernel (default: the
// number of cores); a notebook waits for the chapters its metadata says it reads from
// (metadata.book.after, see schedule.mjs). Each progress line starts with its chapter's number.
// The pages are written by site.mjs as each chapter finishes; book.json keeps every chapter's
// last run, so a run of some chapters leaves the others in the index.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureJupyter, listNotebooks, runNotebookAsync } from './jupyter.mjs';
import { defaultJobs, kernelEnv, runScheduled } from './schedule.mjs';
import { recordStatus, writeSite } from './site.mjs';
import { exportLiveModels } from './live-models.mjs';

const OUT = path.join(ROOT, 'build', 'book');
const mode = process.env.BOOK_MODE || 'standard';
const args = process.argv.slice(2);
const jobsAt = args.indexOf('--jobs');
const jobsArg = jobsAt >= 0 ? args.splice(jobsAt, 2)[1] : undefined;
const filters = args;

async function main() {
  const python = ensureJupyter('run');
  const jobs = jobsArg === undefined ? defaultJobs() : Number(jobsArg);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs ${jobsArg}: not a whole number ≥ 1`);
  const book = listNotebooks();
  let notebooks = book;
  if (filters.length)
    notebooks = notebooks.filter((f) => filters.some((p) => path.basename(f).startsWith(p)));
  if (notebooks.length === 0) throw new Error(`no notebooks match ${filters.join(' ')}`);
  fs.mkdirSync(OUT, { recursive: true });
  const entries = new Map(
    notebooks.map((nb) => [nb, { base: path.basename(nb, '.ipynb'), state: 'waiting' }]),
  );
  const t0 = Date.now();
  console.log(`book: ${notebooks.length} notebooks, mode ${mode}, ${jobs} at a time`);
  for (const e of entries.values()) recordStatus(OUT, e.base, { state: 'waiting', mode });
  const site = async () =>
    writeSite(OUT, book, { liveWidgets: await exportLiveModels(OUT, { mode, log: () => {} }) });
  await site();
  const runs = runScheduled(notebooks, {
    jobs,
    onStart: (nb, { alone }) => {
      const e = entries.get(nb);
      e.state = 'running';
      console.log(`book: ${e.base} started${alone ? ' (alone)' : ''}`);
      recordStatus(OUT, e.base, { state: 'running', mode });
    },
    run: async (nb, { alone }) => {
      const e = entries.get(nb);
      const executed = path.join(OUT, `${e.base}.ipynb`);
      const tag = `[${e.base.slice(0, 2)}]`;
      const r = await runNotebookAsync(nb, executed, {
        mode,
        python,
        env: kernelEnv(alone),
        onLine: (line) => console.log(`${tag} ${line.trim()}`),
      });
      if (!r.ok) process.stderr.write(r.stderr.replace(/^/gm, `${tag} `));
      e.state = r.ok ? 'ok' : 'failed';
      recordStatus(OUT, e.base, {
        state: e.state,
        mode,
        seconds: r.seconds,
        executedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      });
      await site();
      console.log(`book: ${e.base} ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)}s`);
      return r;
    },
  });
  await Promise.all(runs.values());
  const all = [...entries.values()];
  const ok = all.filter((r) => r.state === 'ok').length;
  console.log(
    `book: ${ok}/${all.length} notebooks ran in ${((Date.now() - t0) / 1000).toFixed(1)}s ` +
      `(${jobs} at a time); open ${path.relative(process.cwd(), path.join(OUT, 'index.html'))}`,
  );
  return ok === all.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`book: ${e.message}`);
    process.exit(1);
  },
);

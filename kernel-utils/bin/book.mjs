// `npm run book`: execute every notebook through the real tslab kernel (BOOK_MODE, default
// standard) and write the executed notebooks, one HTML page each and an index page to
// build/book/. Extra arguments select notebooks by name prefix: `npm run book -- 00 03`.
// `--jobs N` (or BOOK_JOBS) runs up to N notebooks at once, each in its own kernel (default: the
// number of cores); a notebook waits for the chapters its metadata says it reads from
// (metadata.book.after, see schedule.mjs). Each progress line starts with its chapter's number,
// and the index is rewritten as each chapter finishes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureJupyter, listNotebooks, runNotebookAsync } from './jupyter.mjs';
import { defaultJobs, kernelEnv, runScheduled } from './schedule.mjs';
import { writeAtomic } from './cells.mjs';

const OUT = path.join(ROOT, 'build', 'book');
const mode = process.env.BOOK_MODE || 'standard';
const args = process.argv.slice(2);
const jobsAt = args.indexOf('--jobs');
const jobsArg = jobsAt >= 0 ? args.splice(jobsAt, 2)[1] : undefined;
const filters = args;

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function title(nbFile) {
  try {
    const nb = JSON.parse(fs.readFileSync(nbFile, 'utf8'));
    const md = nb.cells.find((c) => c.cell_type === 'markdown');
    const line = (Array.isArray(md?.source) ? md.source.join('') : (md?.source ?? ''))
      .split('\n')
      .find((l) => l.startsWith('#'));
    return line ? line.replace(/^#+\s*/, '') : path.basename(nbFile, '.ipynb');
  } catch {
    return path.basename(nbFile, '.ipynb');
  }
}

function nbconvert(python, executed) {
  return new Promise((resolve) => {
    const child = spawn(
      python,
      ['-m', 'nbconvert', '--to', 'html', '--output-dir', OUT, executed],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ ok: code === 0, stderr }));
    child.on('error', (e) => resolve({ ok: false, stderr: String(e) }));
  });
}

function writeIndex(entries, jobs) {
  const status = { ok: '✔ ran', failed: '✘ failed', running: '… running', waiting: '· waiting' };
  const rows = entries
    .map(
      (r) =>
        `<tr><td>${r.html ? `<a href="${esc(r.html)}">${esc(r.base)}</a>` : esc(r.base)}</td>` +
        `<td>${esc(r.title)}</td><td>${status[r.state]}</td>` +
        `<td style="text-align:right">${r.seconds === null ? '' : `${r.seconds.toFixed(1)} s`}</td></tr>`,
    )
    .join('\n');
  const index = `<!doctype html><html><head><meta charset="utf-8"><title>generative-notebooks</title>
<style>body{font-family:sans-serif;max-width:860px;margin:2em auto}td,th{padding:4px 10px;border-bottom:1px solid #ddd}</style></head>
<body><h1>generative-notebooks</h1><p>A runnable book on generative models. Executed ${esc(new Date().toISOString())} in <code>${esc(mode)}</code> mode, ${jobs} notebook${jobs === 1 ? '' : 's'} at a time.</p>
<table><tr><th>notebook</th><th>title</th><th>status</th><th>time</th></tr>
${rows}
</table></body></html>`;
  writeAtomic(path.join(OUT, 'index.html'), index);
}

async function main() {
  const python = ensureJupyter('run');
  const jobs = jobsArg === undefined ? defaultJobs() : Number(jobsArg);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs ${jobsArg}: not a whole number ≥ 1`);
  let notebooks = listNotebooks();
  if (filters.length)
    notebooks = notebooks.filter((f) => filters.some((p) => path.basename(f).startsWith(p)));
  if (notebooks.length === 0) throw new Error(`no notebooks match ${filters.join(' ')}`);
  fs.mkdirSync(OUT, { recursive: true });
  const entries = new Map(
    notebooks.map((nb) => {
      const base = path.basename(nb, '.ipynb');
      return [nb, { base, title: title(nb), state: 'waiting', seconds: null, html: null }];
    }),
  );
  const t0 = Date.now();
  console.log(`book: ${notebooks.length} notebooks, mode ${mode}, ${jobs} at a time`);
  writeIndex([...entries.values()], jobs);
  const runs = runScheduled(notebooks, {
    jobs,
    onStart: (nb, { alone }) => {
      entries.get(nb).state = 'running';
      console.log(`book: ${entries.get(nb).base} started${alone ? ' (alone)' : ''}`);
      writeIndex([...entries.values()], jobs);
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
      if (fs.existsSync(executed)) {
        const conv = await nbconvert(python, executed);
        if (conv.ok) e.html = `${e.base}.html`;
        else process.stderr.write(`book: nbconvert failed for ${e.base}:\n${conv.stderr}\n`);
      }
      e.state = r.ok ? 'ok' : 'failed';
      e.seconds = r.seconds;
      console.log(`book: ${e.base} ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)}s`);
      writeIndex([...entries.values()], jobs);
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

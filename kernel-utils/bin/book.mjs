// `npm run book`: execute every notebook through the real tslab kernel (BOOK_MODE, default
// standard) and write the executed notebooks, one HTML page each and an index page to
// build/book/. Extra arguments select notebooks by name prefix: `npm run book -- 00 03`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureJupyter, listNotebooks, runNotebook } from './jupyter.mjs';

const OUT = path.join(ROOT, 'build', 'book');
const mode = process.env.BOOK_MODE || 'standard';
const filters = process.argv.slice(2);

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

function main() {
  const python = ensureJupyter('run');
  let notebooks = listNotebooks();
  if (filters.length)
    notebooks = notebooks.filter((f) => filters.some((p) => path.basename(f).startsWith(p)));
  if (notebooks.length === 0) throw new Error(`no notebooks match ${filters.join(' ')}`);
  fs.mkdirSync(OUT, { recursive: true });
  const results = [];
  for (const nb of notebooks) {
    const base = path.basename(nb, '.ipynb');
    const executed = path.join(OUT, `${base}.ipynb`);
    console.log(`book: ${base} (mode ${mode}) …`);
    const r = runNotebook(nb, executed, { mode, python, progress: true });
    if (!r.ok) process.stderr.write(r.stderr);
    let html = null;
    if (fs.existsSync(executed)) {
      const conv = spawnSync(
        python,
        ['-m', 'nbconvert', '--to', 'html', '--output-dir', OUT, executed],
        { encoding: 'utf8' },
      );
      if (conv.status === 0) html = `${base}.html`;
      else process.stderr.write(`book: nbconvert failed for ${base}:\n${conv.stderr}\n`);
    }
    results.push({ base, title: title(nb), ok: r.ok, seconds: r.seconds, html });
    console.log(`book: ${base} ${r.ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)}s`);
  }
  const rows = results
    .map(
      (r) =>
        `<tr><td>${r.html ? `<a href="${esc(r.html)}">${esc(r.base)}</a>` : esc(r.base)}</td><td>${esc(r.title)}</td><td>${r.ok ? '✔ ran' : '✘ failed'}</td><td style="text-align:right">${r.seconds.toFixed(1)} s</td></tr>`,
    )
    .join('\n');
  const index = `<!doctype html><html><head><meta charset="utf-8"><title>generative-notebooks</title>
<style>body{font-family:sans-serif;max-width:860px;margin:2em auto}td,th{padding:4px 10px;border-bottom:1px solid #ddd}</style></head>
<body><h1>generative-notebooks</h1><p>A runnable book on generative models. Executed ${esc(new Date().toISOString())} in <code>${esc(mode)}</code> mode.</p>
<table><tr><th>notebook</th><th>title</th><th>status</th><th>time</th></tr>
${rows}
</table></body></html>`;
  fs.writeFileSync(path.join(OUT, 'index.html'), index);
  console.log(
    `book: ${results.filter((r) => r.ok).length}/${results.length} notebooks ran; open ${path.relative(process.cwd(), path.join(OUT, 'index.html'))}`,
  );
  return results.every((r) => r.ok) ? 0 : 1;
}

try {
  process.exit(main());
} catch (e) {
  console.error(`book: ${e.message}`);
  process.exit(1);
}

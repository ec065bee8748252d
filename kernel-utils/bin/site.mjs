// The HTML book: one page per executed notebook, an index, a glossary, the references and the
// leaderboard, written into one folder that needs no network and no server (open index.html from
// disk, serve it statically, or copy it elsewhere). Everything a page loads is copied into
// <out>/assets from npm packages: KaTeX (math is typeset when the page is written; the page only
// needs KaTeX's CSS and fonts), vega, vega-lite and vega-embed (charts are drawn live from the
// vega-lite spec each chart cell keeps, over the PNG the kernel rendered, which stays as the
// fallback) and tfjs for the live models.
//
// `writeSite(outDir, chapters)` re-renders every page from the executed notebooks in `outDir`;
// book.json keeps each chapter's status (mode, run time, when), so `npm run book -- 03` updates
// chapter 03 and keeps the others.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Marked } from 'marked';
import katex from 'katex';
import { writeAtomic } from './cells.mjs';
import { bookGlossary, cellHeadings, headingsInMarkdown } from './glossary.mjs';

const require = createRequire(import.meta.url);
const HERE = path.dirname(new URL(import.meta.url).pathname);
const REPO = path.resolve(HERE, '..', '..');
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

export function esc(s) {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const source = (x) => (Array.isArray(x) ? x.join('') : (x ?? ''));
const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

// ---------------------------------------------------------------------------------------------
// assets

/** What the pages load, copied from npm packages: [source file or folder, path under assets/]. */
export function assetSources() {
  // a package's folder (vega-embed's exports hide its package.json from require.resolve)
  const pkg = (name) => {
    const dir = (require.resolve.paths(name) ?? [])
      .map((p) => path.join(p, name))
      .find((d) => fs.existsSync(path.join(d, 'package.json')));
    if (!dir) throw new Error(`the HTML book needs the npm package ${name}: run npm install`);
    return dir;
  };
  return [
    [path.join(pkg('katex'), 'dist', 'katex.min.css'), 'katex/katex.min.css'],
    [path.join(pkg('katex'), 'dist', 'fonts'), 'katex/fonts'],
    [path.join(pkg('vega'), 'build', 'vega.min.js'), 'vega.min.js'],
    [path.join(pkg('vega-lite'), 'build', 'vega-lite.min.js'), 'vega-lite.min.js'],
    [path.join(pkg('vega-embed'), 'build', 'vega-embed.min.js'), 'vega-embed.min.js'],
    [path.join(pkg('@tensorflow/tfjs'), 'dist', 'tf.min.js'), 'tf.min.js'],
    [path.join(HERE, 'site-assets', 'book.css'), 'book.css'],
    [path.join(HERE, 'site-assets', 'book.js'), 'book.js'],
    [path.join(HERE, 'site-assets', 'live.js'), 'live.js'],
  ];
}

function copyAssets(outDir) {
  for (const [from, to] of assetSources()) {
    const dest = path.join(outDir, 'assets', to);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.cpSync(from, dest, { recursive: true });
  }
}

// ---------------------------------------------------------------------------------------------
// markdown with math

const MATH =
  /(```[\s\S]*?```|`[^`\n]+`|\\\$|\$\$[\s\S]+?\$\$|\$(?=[^\s$])(?:[^$\n\\]|\\[^\n])*?(?:[^\s\\$]|\\[^\n])\$)/g;

// math KaTeX cannot typeset stays in the page as its TeX, marked .katex-error with the reason
// (the browser test fails on it)
function typeset(tex, displayMode) {
  try {
    return katex.renderToString(tex, {
      displayMode,
      throwOnError: true,
      strict: 'ignore',
      output: 'html',
    });
  } catch (e) {
    return `<span class="katex-error" title="${esc(e.message)}">${esc(tex)}</span>`;
  }
}

/**
 * Markdown to HTML: math ($…$, $$…$$) is typeset by KaTeX first and kept away from the markdown
 * parser; `headingIds` are the ids of the cell's headings in order; links to a chapter's
 * .ipynb point to its page; citation keys [Key] that REFERENCES.md defines link to them.
 */
export function markdownToHtml(md, { headingIds = [], refs = new Set() } = {}) {
  const math = [];
  const protectedMd = md.replace(MATH, (m) => {
    if (m.startsWith('`') || m === '\\$') return m;
    const display = m.startsWith('$$');
    const tex = display ? m.slice(2, -2) : m.slice(1, -1);
    math.push(typeset(tex, display));
    return `MATHPLACEHOLDER${math.length - 1}END`;
  });
  let h = 0;
  const marked = new Marked({ gfm: true });
  marked.use({
    renderer: {
      heading({ tokens, depth }) {
        const id = headingIds[h++] ?? '';
        const inner = this.parser.parseInline(tokens);
        return `<h${depth}${id ? ` id="${esc(id)}"` : ''}>${inner}</h${depth}>\n`;
      },
    },
    walkTokens(token) {
      if (token.type === 'link' && /^(\d\d-[\w-]+)\.ipynb(#.*)?$/.test(token.href))
        token.href = token.href.replace(/\.ipynb/, '.html');
    },
  });
  let html = marked.parse(protectedMd);
  html = html.replace(/MATHPLACEHOLDER(\d+)END/g, (_, i) => math[Number(i)]);
  if (refs.size)
    html = html.replace(/\[([A-Z][\w-]*\d{4}[a-z]?|N\d)\]/g, (m, key) =>
      refs.has(key) ? `[<a class="cite" href="references.html#ref-${esc(key)}">${key}</a>]` : m,
    );
  return html;
}

// ---------------------------------------------------------------------------------------------
// outputs

function imgTag(data, meta, alt) {
  const w = meta?.width ?? null;
  return `<img src="data:image/png;base64,${data}" alt="${esc(alt)}"${w ? ` width="${w}"` : ''}>`;
}

let chartCount = 0;
function outputHtml(o, ctx) {
  if (o.output_type === 'stream') {
    const text = stripAnsi(source(o.text));
    return `<pre class="out ${o.name === 'stderr' ? 'stderr' : 'stdout'}">${esc(text)}</pre>`;
  }
  if (o.output_type === 'error') {
    const tb = stripAnsi((o.traceback ?? []).join('\n')) || `${o.ename}: ${o.evalue}`;
    return `<pre class="out error">${esc(tb)}</pre>`;
  }
  const data = o.data ?? {};
  const meta = o.metadata ?? {};
  const text = source(data['text/plain']);
  if (data[VEGALITE_MIME]) {
    const id = `chart-${++chartCount}`;
    const spec = JSON.stringify(data[VEGALITE_MIME]).replace(/</g, '\\u003c');
    const png = data['image/png']
      ? imgTag(source(data['image/png']), meta['image/png'], text || 'chart')
      : '';
    return (
      `<div class="chart" id="${id}"><div class="chart-live"></div>` +
      `<div class="chart-fallback">${png}</div>` +
      `<script type="application/json" class="chart-spec">${spec}</script></div>`
    );
  }
  if (data['text/html']) return `<div class="out html">${source(data['text/html'])}</div>`;
  if (data['image/png'])
    return `<div class="out image">${imgTag(source(data['image/png']), meta['image/png'], text)}</div>`;
  if (data['text/markdown'])
    return `<div class="out markdown">${markdownToHtml(source(data['text/markdown']), ctx)}</div>`;
  if (text) return `<pre class="out">${esc(stripAnsi(text))}</pre>`;
  return '';
}

// ---------------------------------------------------------------------------------------------
// pages

/** Title (the first heading) and summary (the first paragraph after it) of a notebook. */
export function describe(nb, base) {
  const md = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => source(c.source));
  const first = md[0] ?? '';
  const titleLine = first.split('\n').find((l) => /^#\s/.test(l));
  const title = titleLine ? titleLine.replace(/^#+\s*/, '').trim() : base;
  const afterTitle = titleLine ? first.slice(first.indexOf(titleLine) + titleLine.length) : first;
  const para = afterTitle
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .find((p) => p && !p.startsWith('#'));
  let summary = (para ?? '').replace(/\s+/g, ' ');
  const stop = summary.search(/(?<=[.!?])\s/);
  if (stop > 0) summary = summary.slice(0, stop);
  return { title, summary };
}

// each markdown cell's heading ids, and the page's sections (for the sidebar's TOC)
function pageIds(nb) {
  const headings = cellHeadings(nb);
  return {
    ids: headings.map((hs) => hs && hs.map((h) => h.id)),
    sections: headings.flatMap((hs) => hs ?? []),
  };
}

function inlineMd(text, ctx) {
  return markdownToHtml(text, ctx)
    .replace(/^<p>|<\/p>\s*$/g, '')
    .trim();
}

function layout({ title, nav, body, scripts = [] }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — generative-notebooks</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/katex/katex.min.css">
<link rel="stylesheet" href="assets/book.css">
</head><body>
<nav class="sidebar">${nav}</nav>
<main>${body}</main>
<script src="assets/vega.min.js"></script>
<script src="assets/vega-lite.min.js"></script>
<script src="assets/vega-embed.min.js"></script>
${scripts.map((s) => `<script src="${esc(s)}"></script>`).join('\n')}
<script src="assets/book.js"></script>
</body></html>
`;
}

const EXTRA_PAGES = [
  ['glossary.html', 'Glossary (용어집)'],
  ['references.html', 'References'],
  ['leaderboard.html', 'Leaderboard'],
  ['live.html', 'Live models'],
];

function sidebar(chapters, current, sections, ctx) {
  const items = chapters
    .map((c) => {
      const label = `${esc(c.base.slice(0, 2))} · ${inlineMd(c.title.replace(/^\d\d\s*·\s*/, ''), ctx)}`;
      const link = c.page ? `<a href="${esc(c.page)}">${label}</a>` : `<span>${label}</span>`;
      const toc =
        c.base === current && sections.length
          ? `<ol class="toc">${sections
              .filter((s) => s.level === 2 || s.level === 3)
              .map(
                (s) =>
                  `<li class="l${s.level}"><a href="#${esc(s.id)}">${inlineMd(s.text, ctx)}</a></li>`,
              )
              .join('')}</ol>`
          : '';
      return `<li${c.base === current ? ' class="current"' : ''}>${link}${toc}</li>`;
    })
    .join('\n');
  const extra = EXTRA_PAGES.map(
    ([href, label]) =>
      `<li${current === href ? ' class="current"' : ''}><a href="${href}">${esc(label)}</a></li>`,
  ).join('');
  return (
    `<a class="home" href="index.html">generative-notebooks</a>` +
    `<ol class="chapters">${items}</ol><ol class="pages">${extra}</ol>`
  );
}

function pager(chapters, i) {
  const withPage = chapters.filter((c) => c.page);
  const k = withPage.indexOf(chapters[i]);
  const prev = withPage[k - 1];
  const next = withPage[k + 1];
  return (
    `<div class="pager">` +
    (prev ? `<a rel="prev" href="${esc(prev.page)}">← ${esc(prev.base)}</a>` : '<span></span>') +
    `<a href="index.html">index</a>` +
    (next ? `<a rel="next" href="${esc(next.page)}">${esc(next.base)} →</a>` : '<span></span>') +
    `</div>`
  );
}

function chapterPage(chapters, i, ctx, liveWidgets) {
  const c = chapters[i];
  chartCount = 0;
  const { ids, sections } = pageIds(c.nb);
  const cells = c.nb.cells
    .map((cell, k) => {
      if (cell.cell_type === 'markdown')
        return `<section class="md">${markdownToHtml(source(cell.source), { ...ctx, headingIds: ids[k] })}</section>`;
      if (cell.cell_type !== 'code') return '';
      const n = cell.execution_count ?? ' ';
      const outs = (cell.outputs ?? []).map((o) => outputHtml(o, ctx)).join('\n');
      return (
        `<section class="cell"><div class="prompt">[${esc(n)}]</div>` +
        `<pre class="code"><code>${esc(source(cell.source))}</code></pre>` +
        (outs ? `<div class="outputs">${outs}</div>` : '') +
        `</section>`
      );
    })
    .join('\n');
  const live = liveWidgets.filter((w) => (w.chapters ?? [w.chapter]).includes(c.base));
  const liveNote = live.length
    ? `<p class="live-link">Live in your browser: ${live
        .map((w) => `<a href="live.html#${esc(w.id)}">${esc(w.title)}</a>`)
        .join(', ')}.</p>`
    : '';
  const status = !c.mode
    ? ''
    : `<p class="run-status">Executed in <code>${esc(c.mode)}</code> mode` +
      (c.seconds != null ? ` in ${c.seconds.toFixed(1)} s` : '') +
      (c.executedAt ? `, ${esc(c.executedAt)}` : '') +
      (c.state === 'failed' ? ' — <strong class="failed">a cell failed</strong>' : '') +
      `.</p>`;
  return layout({
    title: c.title,
    nav: sidebar(chapters, c.base, sections, ctx),
    body: pager(chapters, i) + status + liveNote + cells + pager(chapters, i),
  });
}

function indexPage(chapters, ctx) {
  const state = { ok: '✔ ran', failed: '✘ failed', running: '… running', waiting: '· waiting' };
  const rows = chapters
    .map(
      (c) =>
        `<tr><td>${c.page ? `<a href="${esc(c.page)}">${esc(c.base.slice(0, 2))}</a>` : esc(c.base.slice(0, 2))}</td>` +
        `<td>${c.page ? `<a href="${esc(c.page)}">${inlineMd(c.title, ctx)}</a>` : inlineMd(c.title, ctx)}` +
        `<div class="summary">${inlineMd(c.summary, ctx)}</div></td>` +
        `<td>${esc(c.mode ?? '')}</td>` +
        `<td class="num">${c.seconds == null ? '' : `${c.seconds.toFixed(1)} s`}</td>` +
        `<td class="state">${c.state ? state[c.state] : c.page ? '✔ built' : 'not built'}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>generative-notebooks</h1>
<p>A runnable book on generative models: TypeScript notebooks on the tslab kernel with
TensorFlow.js. Each page is a notebook as it last ran; the code, its outputs and every number in
the prose come from that run.</p>
<table class="index"><tr><th>#</th><th>chapter</th><th>mode</th><th>time</th><th>status</th></tr>
${rows}</table>
<p>Also: ${EXTRA_PAGES.map(([h, l]) => `<a href="${h}">${esc(l)}</a>`).join(' · ')}.</p>`;
  return layout({ title: 'Contents', nav: sidebar(chapters, 'index', [], ctx), body });
}

function glossaryPage(chapters, ctx) {
  const built = chapters.filter((c) => c.page);
  const { entries } = bookGlossary(chapters);
  const pageOf = new Map(built.map((c) => [c.base, c.page]));
  const where = (w) =>
    pageOf.has(w.chapter)
      ? `<a href="${esc(pageOf.get(w.chapter))}#${esc(w.section.id)}">${esc(w.chapter.slice(0, 2))} · ${inlineMd(w.section.title, ctx)}</a>`
      : esc(w.chapter);
  const rows = entries
    .map(
      (e) =>
        `<tr><td>${esc(e.en)}</td><td lang="ko">${esc(e.ko)}</td><td>${esc(e.abbr ?? '')}</td>` +
        `<td>${where(e.first)}${e.also.length ? `<div class="also">also ${e.also.map(where).join(', ')}</div>` : ''}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Glossary (용어집)</h1>
<p>Every term the chapters introduce, with the Korean they give at first use (${entries.length}
terms), linking to the section where it is introduced.</p>
<table class="glossary"><tr><th>term</th><th>한국어</th><th></th><th>introduced in</th></tr>
${rows}</table>`;
  return layout({ title: 'Glossary', nav: sidebar(chapters, 'glossary.html', [], ctx), body });
}

function referencesPage(chapters, ctx, refsMd) {
  let html = markdownToHtml(refsMd, {
    headingIds: headingsInMarkdown(refsMd).map((h) => `refs-${h.text}`.replace(/\W+/g, '-')),
  });
  // each table row that starts with a key becomes that key's anchor
  html = html.replace(
    /<tr>\s*<td>\[([^\]<]+)\]/g,
    (m, key) => `<tr id="ref-${esc(key)}"><td>[${key}]`,
  );
  return layout({
    title: 'References',
    nav: sidebar(chapters, 'references.html', [], ctx),
    body: html,
  });
}

function leaderboardPage(chapters, ctx) {
  const ch = chapters.find((c) => c.base.startsWith('14-'));
  let body = '<h1>Leaderboard</h1>';
  if (!ch?.page) {
    body += '<p>Chapter 14 has not been built yet: run <code>npm run book -- 14</code>.</p>';
  } else {
    const { ids } = pageIds(ch.nb);
    // the cells of 14's leaderboard section: from its heading to the next heading of that level
    let inside = false;
    const parts = [];
    ch.nb.cells.forEach((cell, k) => {
      if (cell.cell_type === 'markdown') {
        const hs = headingsInMarkdown(source(cell.source));
        if (hs.some((hd) => hd.level === 2))
          inside = hs.some((hd) => hd.level === 2 && /leaderboard/i.test(hd.text));
        if (inside) parts.push(markdownToHtml(source(cell.source), { ...ctx, headingIds: ids[k] }));
      } else if (inside && cell.cell_type === 'code') {
        const outs = (cell.outputs ?? []).map((o) => outputHtml(o, ctx)).join('\n');
        if (outs) parts.push(`<div class="outputs">${outs}</div>`);
      }
    });
    body +=
      `<p>From <a href="${esc(ch.page)}">chapter 14</a>, as it last ran (<code>${esc(ch.mode)}</code>` +
      ` mode): every chapter's saved samples scored by the same metrics.</p>` +
      parts.join('\n');
  }
  return layout({
    title: 'Leaderboard',
    nav: sidebar(chapters, 'leaderboard.html', [], ctx),
    body,
  });
}

function livePage(chapters, ctx, widgets) {
  const body = widgets.length
    ? `<h1>Live models</h1><p>Trained weights of the book's models, run in this page by
TensorFlow.js (WebGL where the browser offers it, else the CPU). Nothing is sent anywhere.</p>` +
      widgets
        .map(
          (w) =>
            `<section class="live" id="${esc(w.id)}"><h2>${esc(w.title)}</h2>` +
            `<p>From ${
              // a link only where that chapter's page is built
              chapters.some((c) => c.base === w.chapter && c.page)
                ? `<a href="${esc(w.chapter)}.html">${esc(w.chapter)}</a>`
                : `${esc(w.chapter)} (its page is not built yet)`
            }.</p>` +
            `${markdownToHtml(w.html, ctx)}</section>`,
        )
        .join('\n')
    : '<h1>Live models</h1><p>No live models were exported with this build.</p>';
  const scripts = widgets.length
    ? ['assets/tf.min.js', ...new Set(widgets.flatMap((w) => w.scripts))]
    : [];
  return layout({
    title: 'Live models',
    nav: sidebar(chapters, 'live.html', [], ctx),
    body,
    scripts,
  });
}

// ---------------------------------------------------------------------------------------------
// the site

/** book.json: each chapter's last run ({base: {state, mode, seconds, executedAt}}). */
export function readStatus(outDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'book.json'), 'utf8')).chapters ?? {};
  } catch {
    return {};
  }
}

export function recordStatus(outDir, base, status) {
  const chapters = readStatus(outDir);
  chapters[base] = { ...chapters[base], ...status };
  fs.mkdirSync(outDir, { recursive: true });
  writeAtomic(path.join(outDir, 'book.json'), `${JSON.stringify({ chapters }, null, 1)}\n`);
}

/**
 * Write every page of the book into `outDir` from the executed notebooks there
 * (<out>/<base>.ipynb). `notebooks` are the book's source notebooks in order (a chapter not yet
 * executed is listed without a link); `liveWidgets` what live-models.mjs exported.
 */
export function writeSite(outDir, notebooks, { liveWidgets = [] } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  copyAssets(outDir);
  const status = readStatus(outDir);
  const chapters = notebooks.map((file) => {
    const base = path.basename(file, '.ipynb');
    const executed = path.join(outDir, `${base}.ipynb`);
    const has = fs.existsSync(executed);
    const nb = JSON.parse(fs.readFileSync(has ? executed : file, 'utf8'));
    return { base, nb, page: has ? `${base}.html` : null, ...describe(nb, base), ...status[base] };
  });
  const refsMd = fs.readFileSync(path.join(REPO, 'REFERENCES.md'), 'utf8');
  const refs = new Set([...refsMd.matchAll(/^\|\s*\[([^\]]+)\]/gm)].map((m) => m[1]));
  const ctx = { refs };
  chapters.forEach((c, i) => {
    if (c.page) writeAtomic(path.join(outDir, c.page), chapterPage(chapters, i, ctx, liveWidgets));
  });
  writeAtomic(path.join(outDir, 'index.html'), indexPage(chapters, ctx));
  writeAtomic(path.join(outDir, 'glossary.html'), glossaryPage(chapters, ctx));
  writeAtomic(path.join(outDir, 'references.html'), referencesPage(chapters, ctx, refsMd));
  writeAtomic(path.join(outDir, 'leaderboard.html'), leaderboardPage(chapters, ctx));
  writeAtomic(path.join(outDir, 'live.html'), livePage(chapters, ctx, liveWidgets));
  return chapters.map((c) => ({ base: c.base, page: c.page }));
}

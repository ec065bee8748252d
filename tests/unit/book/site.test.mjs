// The HTML book's page writer (kernel-utils/bin/site.mjs), without a browser: math typeset at
// build time, links between chapters, citations, chapter summaries, the status kept across runs,
// and a whole small book written into a folder. The browser test is in tests/notebooks.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir, writeNotebook } from '../helpers.mjs';
import {
  describe,
  markdownToHtml,
  readStatus,
  recordStatus,
  writeSite,
} from '../../../kernel-utils/bin/site.mjs';

const mathCount = (html) => (html.match(/class="katex"/g) ?? []).length;

test('math: inline and display typeset by KaTeX; escaped dollars, code and prices left alone', () => {
  assert.equal(mathCount(markdownToHtml('a $x$, $y_1$ and $\\{\\mu_j + 2L_j\\}$.')), 3);
  assert.equal(mathCount(markdownToHtml('$$\\log p(x) \\ge \\text{ELBO}$$')), 1);
  const plain = markdownToHtml('costs \\$5, or $ 5 and $ 6, and `$x$` in code');
  assert.equal(mathCount(plain), 0);
  assert.match(plain, /<code>\$x\$<\/code>/);
  // markdown inside math is not markdown: the underscores stay in the formula
  assert.doesNotMatch(markdownToHtml('$a_i b_i$'), /<em>/);
  assert.equal((markdownToHtml('$\\badcommand$').match(/katex-error/g) ?? []).length, 1);
});

test('links to a chapter notebook point to its page; known citation keys to the references', () => {
  const html = markdownToHtml(
    'see [07](07-vae-elbo.ipynb#2-the-trick) and [Kingma2014], [Nope1999]',
    {
      refs: new Set(['Kingma2014']),
    },
  );
  assert.match(html, /href="07-vae-elbo\.html#2-the-trick"/);
  assert.match(html, /<a class="cite" href="references\.html#ref-Kingma2014">Kingma2014<\/a>/);
  assert.match(html, /\[Nope1999\]/);
  assert.match(markdownToHtml('## 1 · Part', { headingIds: ['1-part'] }), /<h2 id="1-part">/);
});

test("a chapter's title and one-sentence summary come from its first markdown cell", () => {
  const nb = {
    cells: [
      { cell_type: 'markdown', source: '# 07 · VAEs\n\nA VAE is a model. It has two parts.\n' },
    ],
  };
  assert.deepEqual(describe(nb, '07-x'), { title: '07 · VAEs', summary: 'A VAE is a model.' });
  assert.deepEqual(describe({ cells: [] }, '07-x'), { title: '07-x', summary: '' });
});

test('book.json keeps every chapter: recording one leaves the others', () => {
  const dir = tempDir('site-status-');
  recordStatus(dir, '00-a', { state: 'ok', mode: 'quick', seconds: 3 });
  recordStatus(dir, '03-b', { state: 'running', mode: 'quick' });
  recordStatus(dir, '03-b', { state: 'failed', seconds: 5 });
  assert.deepEqual(readStatus(dir), {
    '00-a': { state: 'ok', mode: 'quick', seconds: 3 },
    '03-b': { state: 'failed', mode: 'quick', seconds: 5 },
  });
  assert.deepEqual(readStatus(path.join(dir, 'nowhere')), {});
});

test('a small book: pages for executed chapters only, the others listed, assets copied', () => {
  const dir = tempDir('site-book-');
  const src = tempDir('site-src-');
  const a = writeNotebook(src, '00-first', [], {});
  const b = writeNotebook(src, '01-second', [], {});
  for (const f of [a, b]) {
    const nb = JSON.parse(fs.readFileSync(f, 'utf8'));
    nb.cells = [
      {
        cell_type: 'markdown',
        metadata: {},
        source: `# ${path.basename(f, '.ipynb')}\n\nIt is $x$.`,
      },
      { cell_type: 'markdown', metadata: {}, source: '## 1 · A part (부분)\n\nA **term** (용어).' },
    ];
    fs.writeFileSync(f, JSON.stringify(nb));
  }
  // only 00 has run
  fs.copyFileSync(a, path.join(dir, '00-first.ipynb'));
  recordStatus(dir, '00-first', { state: 'ok', mode: 'quick', seconds: 1.5 });
  // a live model of a chapter whose page is not built: named, not linked
  const widget = { id: 'w', chapter: '01-second', title: 'W', html: '<p>$z$</p>', scripts: [] };
  const pages = writeSite(dir, [a, b], { liveWidgets: [widget] });
  const live = fs.readFileSync(path.join(dir, 'live.html'), 'utf8');
  assert.match(live, /From 01-second \(its page is not built yet\)/);
  assert.doesNotMatch(live, /href="01-second\.html"/);
  assert.equal(mathCount(live), 1);
  assert.deepEqual(pages, [
    { base: '00-first', page: '00-first.html' },
    { base: '01-second', page: null },
  ]);
  for (const f of ['index.html', 'glossary.html', 'references.html', 'leaderboard.html'])
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  for (const f of ['katex/katex.min.css', 'vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'])
    assert.ok(fs.statSync(path.join(dir, 'assets', f)).size > 1000, f);
  const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  assert.match(index, /<a href="00-first\.html">00-first<\/a>/);
  assert.match(index, /1\.5 s/);
  assert.match(index, /01-second[^]*not built/);
  const page = fs.readFileSync(path.join(dir, '00-first.html'), 'utf8');
  assert.match(page, /<h2 id="1-a-part-부분">/);
  assert.match(page, /<a href="#1-a-part-부분">/);
  assert.doesNotMatch(page, /file:\/\/|\/usr\/share|https?:\/\/cdn/);
  const glossary = fs.readFileSync(path.join(dir, 'glossary.html'), 'utf8');
  assert.match(glossary, /<td>term<\/td><td lang="ko">용어<\/td>/);
  assert.match(glossary, /href="00-first\.html#1-a-part-부분"/);
});

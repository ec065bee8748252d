// The glossary (용어집) of the HTML book: term pairs read from the chapters' markdown, and the
// check that no chapter gives one term two Korean spellings or introduces it without Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { listNotebooks } from '../../../kernel-utils/bin/jupyter.mjs';
import {
  bookGlossary,
  headingsInMarkdown,
  slug,
  termKey,
  termsInMarkdown,
  uniqueSlugger,
} from '../../../kernel-utils/bin/glossary.mjs';

const md = (...cells) => ({
  cells: cells.map((s) => ({ cell_type: 'markdown', source: s, metadata: {} })),
});
const pairs = (text) => termsInMarkdown(text).terms.map((t) => [t.en, t.ko, t.abbr]);

test('slugs: markup and math dropped, Hangul kept, repeated headings numbered', () => {
  assert.equal(slug('2 · The **ELBO** ($\\log p$) (증거 하한)'), '2-the-elbo-log-p-증거-하한');
  assert.equal(slug('***'), 'section');
  const s = uniqueSlugger();
  assert.deepEqual([s('Setup'), s('Setup'), s('setup')], ['setup', 'setup-2', 'setup-3']);
});

test('headings are found outside code fences only, with their level and offset', () => {
  const text = '# Title\n\n```\n# not a heading\n```\n## 1 · Part (부분)\n';
  const hs = headingsInMarkdown(text);
  assert.deepEqual(
    hs.map((h) => [h.level, h.text]),
    [
      [1, 'Title'],
      [2, '1 · Part (부분)'],
    ],
  );
  assert.equal(text.slice(hs[1].offset, hs[1].offset + 2), '##');
});

test('term pairs: bold, bold with the bracket inside, plain, heading, abbreviations, glosses', () => {
  assert.deepEqual(pairs('A **variational autoencoder** (변분 오토인코더, VAE) is'), [
    ['variational autoencoder', '변분 오토인코더', 'VAE'],
  ]);
  assert.deepEqual(pairs('the **score function (점수 함수)** of'), [
    ['score function', '점수 함수', null],
  ]);
  // plain: the words back to an article, wrapped over a line, a trailing symbol skipped
  assert.deepEqual(pairs('The price is $Z$, the partition\nfunction (분배 함수).'), [
    ['partition function', '분배 함수', null],
  ]);
  assert.deepEqual(pairs('a latent code $z$ (잠재 코드)'), [['latent code', '잠재 코드', null]]);
  assert.deepEqual(pairs('## 3 · The change-of-variables formula (변수 변환 공식)'), [
    ['change-of-variables formula', '변수 변환 공식', null],
  ]);
  assert.deepEqual(pairs('Think of a hidden (latent, 잠재) class'), [['latent', '잠재', null]]);
  // a quotation of the notes is not a translation; math and code are not read
  assert.deepEqual(pairs('outliers ("이상치에 민감") and `f (함수)` and $x (엑스)$'), []);
});

test('Korean in brackets after no English term is a problem naming the line', () => {
  const { problems } = termsInMarkdown('Result:\n(자유 에너지)\n');
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /"자유 에너지" follows no English term/);
});

test('the glossary: first use with its section, later chapters listed, sorted by term', () => {
  const g = bookGlossary([
    { base: '01-a', nb: md('# 01 · A\n\n## 1 · Start\n\nthe **prior** (사전 분포) $p(z)$') },
    { base: '02-b', nb: md('# 02 · B\n\nan **encoder** (인코더) and the prior (사전 분포)') },
  ]);
  assert.deepEqual(g.problems, []);
  assert.deepEqual(
    g.entries.map((e) => [e.en, e.ko, e.first.chapter, e.first.section.id]),
    [
      ['encoder', '인코더', '02-b', '02-b'],
      ['prior', '사전 분포', '01-a', '1-start'],
    ],
  );
  assert.deepEqual(
    g.entries[1].also.map((a) => a.chapter),
    ['02-b'],
  );
  assert.equal(termKey('Diffusion models'), termKey('diffusion model'));
  assert.notEqual(termKey('loss'), termKey('los'));
});

test('one term with two Korean spellings is a problem naming both chapters', () => {
  const g = bookGlossary([
    { base: '01-a', nb: md('the **posterior** (사후 확률) of a class') },
    { base: '07-b', nb: md('the **posterior** (사후 분포) of a code') },
  ]);
  assert.equal(g.problems.length, 1);
  assert.equal(g.problems[0].kind, 'two Korean spellings');
  assert.match(g.problems[0].message, /사후 확률 \(01-a, cell 0\) vs 사후 분포 \(07-b, cell 0\)/);
  // spacing is a different spelling too: 로그가능도 vs 로그 가능도
  const spaced = bookGlossary([
    { base: '01-a', nb: md('the **log-likelihood** (로그가능도)') },
    { base: '02-b', nb: md('the **log-likelihood** (로그 가능도)') },
  ]);
  assert.equal(spaced.problems.length, 1);
});

test('a term bolded without Korean before the chapter that gives its Korean is a problem', () => {
  const g = bookGlossary([
    { base: '01-a', nb: md('we meet the **codebook** here') },
    { base: '09-b', nb: md('a learned **codebook** (코드북)') },
  ]);
  assert.equal(g.problems.length, 1);
  assert.equal(g.problems[0].kind, 'introduced without Korean');
  assert.match(g.problems[0].message, /01-a, cell 0: "codebook" .* 09-b gives later \(코드북\)/);
});

test("the book's chapters: every term has one Korean spelling and its Korean at first use", () => {
  const chapters = listNotebooks().map((f) => ({
    base: path.basename(f, '.ipynb'),
    nb: JSON.parse(fs.readFileSync(f, 'utf8')),
  }));
  const g = bookGlossary(chapters);
  assert.deepEqual(
    g.problems.map((p) => p.message),
    [],
    'fix the chapters: give each term one Korean spelling, at its first use',
  );
  // every chapter gives terms (a chapter with none would leave study groups without Korean)
  const withTerms = new Set(g.entries.flatMap((e) => [e.first.chapter]));
  const missing = chapters.map((c) => c.base).filter((b) => !withTerms.has(b));
  assert.deepEqual(missing, [], 'chapters that introduce no term with its Korean');
  assert.ok(g.entries.length >= 100, `${g.entries.length} glossary entries`);
});

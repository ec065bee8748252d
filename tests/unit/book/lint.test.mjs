// npm run lint on notebooks: an unformatted cell, a line over 100 characters and a cell over 40
// lines each fail it, with the notebook, cell and line named; --write fixes what Prettier can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir, writeNotebook } from '../helpers.mjs';

const LINT = path.join(ROOT, 'kernel-utils', 'bin', 'lint.mjs');

function lint(dir, ...args) {
  const r = spawnSync(process.execPath, [LINT, '--notebooks', dir, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('lint passes a formatted notebook, wherever it lies (the project settings apply)', () => {
  const dir = tempDir('lint-ok-');
  writeNotebook(dir, '01-ok.ipynb', ['const x = 1;\nconsole.log(x + 1);']);
  // a chapter of the book, copied out of the repo: long lines only fit the project's width of 100
  fs.copyFileSync(
    path.join(ROOT, 'notebooks', '07-vae-elbo.ipynb'),
    path.join(dir, '07-vae-elbo.ipynb'),
  );
  const r = lint(dir);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /lint: clean/);
});

test('lint fails an unformatted cell, and --write formats it', () => {
  const dir = tempDir('lint-fmt-');
  const file = writeNotebook(dir, '02-messy.ipynb', ['const   y={a:1,b:2}\nconsole.log( y.a )']);
  const r = lint(dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /02-messy\.ipynb, cell 1: not formatted/);
  assert.equal(lint(dir, '--write').status, 0);
  const cell = JSON.parse(fs.readFileSync(file, 'utf8')).cells[0];
  assert.equal(cell.source.join(''), 'const y = { a: 1, b: 2 };\nconsole.log(y.a);');
  assert.equal(lint(dir).status, 0);
});

test('lint fails a line over 100 characters and a cell over 40 lines, naming both', () => {
  const dir = tempDir('lint-long-');
  // Prettier moves the string to its own line (2 spaces + quotes + 100 x + ';' = 105) but cannot break it
  const longLine = `const caption = '${'x'.repeat(100)}';`;
  const longCell = Array.from({ length: 41 }, (_, i) => `console.log(${i});`).join('\n');
  writeNotebook(dir, '03-long.ipynb', [longLine, longCell]);
  const r = lint(dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /03-long\.ipynb, cell 1, line 2: 105 characters \(at most 100\)/);
  assert.match(r.out, /03-long\.ipynb, cell 2: 41 lines \(at most 40/);
});

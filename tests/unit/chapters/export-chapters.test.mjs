// Chapter code reused by name: the cells marked `// @save` become kernel-utils/src/chapters/chNN.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ku, tempDir, writeNotebook } from '../helpers.mjs';
import { exportChapters, savedItems } from '../../../kernel-utils/bin/export-chapters.mjs';

test('a // @save declaration is exported with where it is defined, and nothing else is', () => {
  const dir = tempDir('export-');
  const file = writeNotebook(dir, '07-example.ipynb', [
    ['markdown', '# 07 · Example\n\n## 3 · A VAE on MNIST\n'],
    [
      'code',
      'const notSaved = 1;\n// @save\n/** The answer. */\nfunction answer(x: number): number {\n  return x + 41;\n}',
    ],
  ]);
  const items = savedItems(file);
  assert.equal(items.length, 1);
  assert.deepEqual(items[0].names, ['answer']);
  assert.match(items[0].where, /^Defined in chapter 07 §3 \(A VAE on MNIST\)/);
  assert.deepEqual(items[0].docs, ['/** The answer. */']);
});

test('a // @save that marks no declaration is an error naming the notebook and cell', () => {
  const dir = tempDir('export-');
  const above = writeNotebook(dir, '07-bad.ipynb', [
    ['code', "// @save\nconsole.log('not a declaration');"],
  ]);
  assert.throws(() => savedItems(above), /07-bad\.ipynb, cell 1: "\/\/ @save" must stand above/);
  const dangling = writeNotebook(dir, '07-end.ipynb', [['code', 'const a = 1;\n// @save']]);
  assert.throws(() => savedItems(dangling), /07-end\.ipynb, cell 1: "\/\/ @save" marks no/);
});

test('the committed chapter modules are what the notebooks generate (none is stale)', async () => {
  assert.deepEqual(await exportChapters({ check: true }), []);
});

test('chapter code is reachable by name: ku.ch07.buildVae, ku.ch01.fitLogistic', () => {
  assert.equal(typeof ku.ch07.buildVae, 'function');
  assert.equal(typeof ku.ch07.trainedMlpVae, 'function');
  assert.equal(typeof ku.ch01.fitLogistic, 'function');
});

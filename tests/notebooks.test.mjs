// Every notebook of the book, executed top to bottom in quick mode through the real tslab kernel
// under Jupyter (nbclient). A failing cell fails its test, and the message shows the cell's
// source and what the kernel wrote to stderr (tslab sends no iopub error message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, ensureJupyter, listNotebooks, runNotebook } from '../kernel-utils/bin/jupyter.mjs';

const python = ensureJupyter('run');
const OUT = path.join(ROOT, 'build', 'test-notebooks');
// Fresh artifacts and checkpoints, so the tests really train instead of reloading a checkpoint.
const BUILD = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-nbtest-'));
process.on('exit', () => fs.rmSync(BUILD, { recursive: true, force: true }));
const env = { BOOK_BUILD: BUILD, BOOK_RETRAIN: '1' };

for (const nb of listNotebooks()) {
  const base = path.basename(nb, '.ipynb');
  test(`notebook ${base} runs top to bottom in quick mode`, () => {
    const r = runNotebook(nb, path.join(OUT, `${base}.ipynb`), {
      mode: 'quick',
      timeout: 600,
      env,
      python,
    });
    assert.ok(r.ok, `\n${r.stderr}`);
    const executed = JSON.parse(fs.readFileSync(path.join(OUT, `${base}.ipynb`), 'utf8'));
    const code = executed.cells.filter((c) => c.cell_type === 'code');
    const statuses = code.map((c) => c.metadata.book_run?.status ?? 'not run');
    assert.ok(
      code.length > 0 && statuses.every((s) => s === 'ok'),
      `every code cell ran: ${statuses.join(', ')}`,
    );
    for (const c of code) {
      const stderr = c.outputs
        .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
        .map((o) => [].concat(o.text).join(''))
        .join('');
      assert.ok(
        !/Error|Warning: /.test(stderr),
        `a cell wrote to stderr:\n${[].concat(c.source).join('')}\n---\n${stderr}`,
      );
    }
  });
}

function writeNotebook(file, sources) {
  const cells = sources.map((src, i) => ({
    cell_type: 'code',
    id: `t${i}`,
    metadata: {},
    execution_count: null,
    outputs: [],
    source: src,
  }));
  const nb = {
    cells,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb));
}

test('the runner names a failing cell and shows its source and stderr, and stops there', () => {
  const dir = path.join(OUT, 'runner');
  const input = path.join(dir, 'throws.ipynb');
  writeNotebook(input, [
    "import * as ku from 'kernel-utils';\nconst answer: number = 42;",
    "console.log('before the failure');\nthrow new Error('deliberate failure for the runner test');",
    "console.log('this cell must not run');",
  ]);
  const out = path.join(dir, 'throws.out.ipynb');
  const r = runNotebook(input, out, { mode: 'quick', timeout: 120, env, python });
  assert.equal(r.ok, false);
  assert.match(r.stderr, /throws\.ipynb: code cell 2 \(cell #2 of 3\) failed/);
  assert.match(
    r.stderr,
    /cell source:\nconsole\.log\('before the failure'\);\nthrow new Error\('deliberate failure for the runner test'\);/,
  );
  assert.match(r.stderr, /kernel stderr:\n[^]*Error: deliberate failure for the runner test/);
  const executed = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual(
    executed.cells.map((c) => c.metadata.book_run?.status ?? 'not run'),
    ['ok', 'failed', 'not run'],
  );
  const printed = executed.cells[1].outputs
    .filter((o) => o.name === 'stdout')
    .map((o) => [].concat(o.text).join(''))
    .join('');
  assert.match(printed, /before the failure/);
});

test('a TypeScript type error in a cell fails the run with the compiler message', () => {
  const input = path.join(OUT, 'runner', 'type-error.ipynb');
  writeNotebook(input, ["const n: number = 'not a number';"]);
  const r = runNotebook(input, path.join(OUT, 'runner', 'type-error.out.ipynb'), {
    mode: 'quick',
    timeout: 120,
    env,
    python,
  });
  assert.equal(r.ok, false);
  assert.match(r.stderr, /code cell 1 \(cell #1 of 1\) failed/);
  assert.match(r.stderr, /Type 'string' is not assignable to type 'number'/);
});

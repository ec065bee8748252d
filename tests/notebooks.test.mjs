// Every notebook of the book, executed top to bottom in quick mode through the real tslab kernel
// under Jupyter (nbclient). A failing cell fails its test, and the message shows the cell's
// source and what the kernel wrote to stderr (tslab sends no iopub error message). The notebooks
// run as `npm run book` runs them: BOOK_JOBS (default: the number of cores) at a time, each after
// the chapters its metadata names.
import { test } from 'node:test';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ROOT,
  ensureJupyter,
  listNotebooks,
  runNotebook,
  runNotebookAsync,
} from '../kernel-utils/bin/jupyter.mjs';
import { defaultJobs, kernelEnv, runScheduled } from '../kernel-utils/bin/schedule.mjs';
import { recordStatus, VEGALITE_MIME, writeSite } from '../kernel-utils/bin/site.mjs';
import { checkSite } from '../kernel-utils/bin/check-site.mjs';
import { exportLiveModels } from '../kernel-utils/bin/live-models.mjs';

const ku = createRequire(path.join(ROOT, 'package.json'))('kernel-utils');
const python = ensureJupyter('run');
const OUT = path.join(ROOT, 'build', 'test-notebooks');
// Fresh artifacts and checkpoints, so the tests really train instead of reloading a checkpoint.
const BUILD = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-nbtest-'));
process.on('exit', () => fs.rmSync(BUILD, { recursive: true, force: true }));
const env = { BOOK_BUILD: BUILD, BOOK_RETRAIN: '1' };

// every cell tagged "training" is re-run twice right after its first run (its checkpoint reused,
// as a reader re-running it in Jupyter), and tf.memory().numTensors must not change
const notebooks = listNotebooks();
const schedule = () =>
  runScheduled(notebooks, {
    jobs: defaultJobs(),
    run: (nb, { alone }) =>
      runNotebookAsync(nb, path.join(OUT, `${path.basename(nb, '.ipynb')}.ipynb`), {
        mode: 'quick',
        timeout: 600,
        env: { ...env, ...kernelEnv(alone) },
        python,
        rerunTagged: 'training',
      }),
  });
// started by the first notebook test (so a run filtered to other tests starts no kernel)
let runs = null;

for (const nb of notebooks) {
  const base = path.basename(nb, '.ipynb');
  test(`notebook ${base} runs top to bottom in quick mode; re-run training cells leak nothing`, async () => {
    runs ??= schedule();
    const r = await runs.get(nb);
    assert.ok(r.ok, `\n${r.stderr}`);
    const executed = JSON.parse(fs.readFileSync(path.join(OUT, `${base}.ipynb`), 'utf8'));
    const code = executed.cells.filter((c) => c.cell_type === 'code');
    for (const c of code.filter((c) => c.metadata.tags?.includes('training'))) {
      const counts = c.metadata.book_run_rerun_tensors;
      assert.ok(Array.isArray(counts) && counts.length === 3, 'the training cell was re-run twice');
      assert.deepEqual(new Set(counts).size, 1, `tensor counts after each run: ${counts}`);
    }
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

// The tour on tfjs' webgpu backend (Dawn over Vulkan; lavapipe on a machine without a GPU), through
// the real kernel: it reads every tensor with await (tfjs-webgpu cannot read synchronously in Node),
// and trains to the test loss its run on the default backend above reached.
test('notebook 00-tour runs on the webgpu backend and trains as on the default one', async () => {
  const probe = ku.probeWebGpu();
  assert.ok('adapter' in probe, `${probe.why} (README: Backends, WebGPU)`);
  runs ??= schedule();
  const tour = notebooks.find((nb) => path.basename(nb).startsWith('00-'));
  assert.ok((await runs.get(tour)).ok, 'the run of 00 on the default backend');
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-nbtest-webgpu-'));
  try {
    const out = path.join(OUT, 'runner', '00-tour-webgpu.ipynb');
    const r = await runNotebookAsync(tour, out, {
      mode: 'quick',
      timeout: 600,
      env: { BOOK_BUILD: build, BOOK_RETRAIN: '1', BOOK_BACKEND: 'webgpu' },
      python,
      rerunTagged: 'training',
    });
    assert.ok(r.ok, `\n${r.stderr}`);
    const code = JSON.parse(fs.readFileSync(out, 'utf8')).cells.filter(
      (c) => c.cell_type === 'code',
    );
    const text = (c) =>
      c.outputs.map((o) => [].concat(o.text ?? o.data?.['text/plain'] ?? []).join('')).join('\n');
    assert.match(text(code[0]), /backend: webgpu .*on .+/, 'the report names the adapter');
    // tfjs warns on the first synchronous read: there is none
    for (const c of code) assert.doesNotMatch(text(c), /synchronously reading/);
    const training = code.find((c) => c.metadata.tags?.includes('training'));
    assert.equal(new Set(training.metadata.book_run_rerun_tensors).size, 1, 'no tensor leaked');
    const metricsOf = (dir) =>
      JSON.parse(fs.readFileSync(path.join(dir, 'artifacts', '00-tour', 'metrics.json'), 'utf8'))
        .filter((e) => e.mode === 'quick')
        .at(-1);
    const [gpu, usual] = [metricsOf(build), metricsOf(BUILD)];
    assert.equal(gpu.backend, 'webgpu');
    assert.notEqual(usual.backend, 'webgpu', 'auto does not pick a software adapter');
    // the same seeded 20 Adam steps in float32, summed in another order: 1e-4 relative (measured
    // 3e-7; after the 800 steps of standard mode the runs drift apart to 6e-4)
    const gap = Math.abs(gpu.metrics.test_bce_nats - usual.metrics.test_bce_nats);
    assert.ok(
      gap < 1e-4 * usual.metrics.test_bce_nats,
      `test BCE ${gpu.metrics.test_bce_nats} on webgpu vs ${usual.metrics.test_bce_nats} on ` +
        usual.backend,
    );
    console.log(`00 on webgpu: ${r.seconds.toFixed(1)} s, test BCE gap ${gap.toExponential(1)}`);
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
});

function writeNotebook(file, sources, tags = {}) {
  const cells = sources.map((src, i) => ({
    cell_type: 'code',
    id: `t${i}`,
    metadata: tags[i] ? { tags: tags[i] } : {},
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

test('the re-run check fails a training cell that leaks, and passes one that holds its model by name', () => {
  const dir = path.join(OUT, 'runner');
  const leaky = path.join(dir, 'leaky.ipynb');
  const setup = "import * as tf from '@tensorflow/tfjs';\nimport * as ku from 'kernel-utils';";
  writeNotebook(leaky, [setup, 'const weights = tf.ones([3]);'], { 1: ['training'] });
  const r = runNotebook(leaky, path.join(dir, 'leaky.out.ipynb'), {
    mode: 'quick',
    timeout: 120,
    env,
    python,
    rerunTagged: 'training',
  });
  assert.equal(r.ok, false);
  assert.match(
    r.stderr,
    /code cell 2 \(cell #2 of 2\) leaks tensors when re-run \((\d+) -> \d+ -> \d+\)/,
  );
  const [, a, b, c] = /\((\d+) -> (\d+) -> (\d+)\)/.exec(r.stderr).map(Number);
  assert.deepEqual([b - a, c - b], [1, 1], 'one tensor more per re-run');

  const kept = path.join(dir, 'kept.ipynb');
  writeNotebook(
    kept,
    [
      `${setup}\nconst nb = await ku.setupNotebook('kept-test', { quiet: true });`,
      "const weights = nb.keep('weights', tf.ones([3]));",
    ],
    { 1: ['training'] },
  );
  const out = path.join(dir, 'kept.out.ipynb');
  const k = runNotebook(kept, out, {
    mode: 'quick',
    timeout: 120,
    env,
    python,
    rerunTagged: 'training',
  });
  assert.ok(k.ok, k.stderr);
  const counts = JSON.parse(fs.readFileSync(out, 'utf8')).cells[1].metadata.book_run_rerun_tensors;
  assert.equal(counts.length, 3);
  assert.equal(new Set(counts).size, 1);
});

test('a cell that displays 5,000 outputs in a row runs, and every output arrives in order', () => {
  // zeromq delays every 513th synchronous send; tslab alone then dies with "Socket is busy
  // writing" (EBUSY): kernel-utils/bin/tslab-kernel.cjs makes a send wait for a pending one. Past
  // 1,000 queued messages zeromq's publisher drops outputs, and nbclient gives up on late ones
  // after 4 s: the kernel's publisher has no limit, and run_notebook.py waits (or fails) instead.
  const dir = path.join(OUT, 'runner');
  const input = path.join(dir, 'burst.ipynb');
  writeNotebook(input, [
    "import * as tslab from 'tslab';\nfor (let i = 0; i < 5000; i++) tslab.display.html(`<b>${i}</b>`);",
    "console.log('after the burst');",
  ]);
  const out = path.join(dir, 'burst.out.ipynb');
  const r = runNotebook(input, out, { mode: 'quick', timeout: 120, env, python });
  assert.ok(r.ok, r.stderr);
  const [burst, after] = JSON.parse(fs.readFileSync(out, 'utf8')).cells;
  const shown = burst.outputs.map((o) => [].concat(o.data?.['text/html'] ?? []).join(''));
  assert.deepEqual(
    shown,
    Array.from({ length: 5000 }, (_, i) => `<b>${i}</b>`),
    'all, in order',
  );
  assert.match([].concat(after.outputs[0].text).join(''), /after the burst/);
});

// The HTML book of the quick-mode notebooks above, opened page by page in the system's chromium
// (headless, from disk as a reader opens it). Screenshots go to build/screenshots/.
test('the HTML book of these runs works in a real browser: charts, math, links, live models', async () => {
  runs ??= schedule();
  const results = new Map();
  for (const nb of notebooks) results.set(nb, await runs.get(nb));
  for (const [nb, r] of results)
    recordStatus(OUT, path.basename(nb, '.ipynb'), {
      state: r.ok ? 'ok' : 'failed',
      mode: 'quick',
      seconds: r.seconds,
      executedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
  // the PNG of every chart declares its display width: the chart's size, not its pixels
  for (const nb of notebooks) {
    const executed = JSON.parse(
      fs.readFileSync(path.join(OUT, `${path.basename(nb, '.ipynb')}.ipynb`), 'utf8'),
    );
    for (const o of executed.cells.flatMap((c) => c.outputs ?? []))
      if (o.data?.[VEGALITE_MIME]) {
        const w = o.metadata?.['image/png']?.width;
        const png = Buffer.from([].concat(o.data['image/png']).join(''), 'base64');
        assert.equal(w, ku.pngWidth(png) / 2, `${nb}: a chart`);
      }
  }
  writeSite(OUT, notebooks, { liveWidgets: await exportLiveModels(OUT, { build: BUILD }) });
  const shots = path.join(ROOT, 'build', 'screenshots');
  const report = await checkSite(OUT, { shotDir: shots, chapter: '07' });
  const pages = report.pages;
  const chapterPages = pages.filter((p) => /^\d\d-/.test(p.page));
  assert.equal(chapterPages.length, notebooks.length, 'a page per chapter');
  for (const p of pages) {
    assert.deepEqual(p.errors, [], `${p.page}: console errors`);
    assert.deepEqual(p.notDrawn, [], `${p.page}: charts not drawn live by vega-embed`);
    assert.deepEqual(p.katexErrors, [], `${p.page}: math KaTeX could not typeset`);
    assert.ok(p.width <= p.viewport, `${p.page}: ${p.width} px wide in a ${p.viewport} px window`);
    for (const sl of p.sliders)
      assert.ok(sl.changed, `${p.page}: chart ${sl.id} did not redraw when its slider moved`);
    for (const l of p.liveResults) {
      assert.ok(l.spread > 0.2, `${p.page}: live model ${l.id} drew a blank image`);
      assert.ok(l.changed, `${p.page}: live model ${l.id} did not change when moved`);
    }
  }
  for (const p of chapterPages.filter((p) => p.katex > 0))
    assert.ok(p.katexFont, `${p.page}: KaTeX's fonts did not load`);
  assert.ok(pages.reduce((s, p) => s + p.drawn, 0) >= 30, 'the chapters draw their charts live');
  // the parameters a lecturer moves: EM iteration (03), β (07), t (08, 13), the k of k-NN (14)
  const sliders = Object.fromEntries(
    chapterPages.map((p) => [p.page.slice(0, 2), p.sliders.length]),
  );
  for (const ch of ['03', '07', '08', '13', '14'])
    assert.ok(sliders[ch] >= 1, `chapter ${ch} has a chart with a slider (${sliders[ch]})`);
  const live = pages.find((p) => p.page === 'live.html');
  // 07's latent explorer, 10's digit sampler, 16's prompt box
  assert.ok(live.liveResults.length >= 3, 'live models on live.html');
  assert.ok(live.live.includes('prompt-box-widget'), "chapter 16's prompt box");
  assert.deepEqual(report.brokenLinks, [], 'internal links');
  for (const s of report.screenshots) assert.ok(fs.statSync(s).size > 10000, s);

  // the book copied elsewhere (only the site: no notebooks, nothing from the repo) and served by
  // a static server: the same pages, and the live models load their model.json over HTTP
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gn-book-copy-'));
  try {
    for (const f of fs.readdirSync(OUT).filter((f) => !f.endsWith('.ipynb') && f !== 'runner'))
      fs.cpSync(path.join(OUT, f), path.join(copy, f), { recursive: true });
    const served = await checkSite(copy, { shotDir: null, http: true });
    for (const p of served.pages) {
      assert.deepEqual(p.errors, [], `${p.page} served over HTTP: console errors`);
      assert.deepEqual(p.notDrawn, [], `${p.page} served over HTTP: charts not drawn`);
    }
    const liveServed = served.pages.find((p) => p.page === 'live.html').liveResults;
    assert.equal(liveServed.length, live.liveResults.length);
    for (const l of liveServed) assert.ok(l.spread > 0.2 && l.changed, `${l.id} over HTTP`);
    assert.deepEqual(served.brokenLinks, []);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

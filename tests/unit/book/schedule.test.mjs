// Chapters in parallel: at most `jobs` at once, each after the chapters its metadata names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { tempDir, writeNotebook } from '../helpers.mjs';
import { listNotebooks } from '../../../kernel-utils/bin/jupyter.mjs';
import {
  defaultJobs,
  dependencies,
  criticalPaths,
  kernelEnv,
  runScheduled,
  runsAfter,
} from '../../../kernel-utils/bin/schedule.mjs';

const notebook = (dir, name, book) => writeNotebook(dir, name, [], book ? { book } : {});

test('the book declares its order in the notebooks: 08 after 07, 14 after every other chapter', () => {
  const nbs = listNotebooks();
  const name = (f) => path.basename(f, '.ipynb');
  const after = (prefix) =>
    runsAfter(
      nbs.find((f) => name(f).startsWith(prefix)),
      nbs,
    ).map(name);
  assert.deepEqual(after('08'), ['07-vae-elbo']);
  assert.equal(after('14').length, nbs.length - 1);
  assert.deepEqual(after('00'), []);
});

test('runScheduled runs at most `jobs` at once and never a notebook before what it runs after', async () => {
  const dir = tempDir('schedule-');
  const a = notebook(dir, '01-a.ipynb');
  const b = notebook(dir, '02-b.ipynb');
  const c = notebook(dir, '03-c.ipynb', { after: ['01'] });
  const d = notebook(dir, '04-d.ipynb', { after: 'all' });
  const log = [];
  let running = 0;
  let most = 0;
  const runs = runScheduled([a, b, c, d], {
    jobs: 2,
    run: async (f) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${path.basename(f)}`);
      await new Promise((r) => setTimeout(r, f === a ? 40 : 10));
      log.push(`end ${path.basename(f)}`);
      running--;
      return path.basename(f);
    },
  });
  assert.deepEqual(await Promise.all(runs.values()), [
    '01-a.ipynb',
    '02-b.ipynb',
    '03-c.ipynb',
    '04-d.ipynb',
  ]);
  assert.equal(most, 2);
  const at = (s) => log.indexOf(s);
  assert.ok(at('start 03-c.ipynb') > at('end 01-a.ipynb'), log.join(', '));
  for (const x of ['01-a', '02-b', '03-c'])
    assert.ok(at('start 04-d.ipynb') > at(`end ${x}.ipynb`));
});

test('what most chapters wait for starts first (07 before 00 when 08 and 14 wait for it)', async () => {
  const dir = tempDir('schedule-');
  const first = notebook(dir, '00-first.ipynb');
  const vae = notebook(dir, '07-vae.ipynb');
  const latent = notebook(dir, '08-latent.ipynb', { after: ['07'] });
  const evaluation = notebook(dir, '14-eval.ipynb', { after: 'all' });
  const started = [];
  const runs = runScheduled([first, vae, latent, evaluation], {
    jobs: 1,
    run: async (f) => started.push(path.basename(f, '.ipynb')),
  });
  await Promise.all(runs.values());
  assert.deepEqual(started, ['07-vae', '00-first', '08-latent', '14-eval']);
});

test('a failing notebook still lets the ones after it run; a cycle and bad metadata are errors', async () => {
  const dir = tempDir('schedule-');
  const a = notebook(dir, '01-a.ipynb');
  const b = notebook(dir, '02-b.ipynb', { after: ['01'] });
  const runs = runScheduled([a, b], {
    jobs: 1,
    run: async (f) => {
      if (f === a) throw new Error('chapter 01 failed');
      return 'ran';
    },
  });
  await assert.rejects(runs.get(a), /chapter 01 failed/);
  assert.equal(await runs.get(b), 'ran');
  const x = notebook(dir, '05-x.ipynb', { after: ['06'] });
  const y = notebook(dir, '06-y.ipynb', { after: ['05'] });
  assert.throws(
    () => dependencies([x, y]),
    /wait for each other: 05-x\.ipynb → 06-y\.ipynb → 05-x/,
  );
  const bad = notebook(dir, '07-bad.ipynb', { after: 7 });
  assert.throws(() => runsAfter(bad, [bad]), /07-bad\.ipynb: metadata\.book\.after must be/);
});

test('BOOK_JOBS sets the default number of jobs, and a bad value is an error', () => {
  const saved = process.env.BOOK_JOBS;
  try {
    process.env.BOOK_JOBS = '3';
    assert.equal(defaultJobs(), 3);
    process.env.BOOK_JOBS = 'two';
    assert.throws(() => defaultJobs(), /BOOK_JOBS="two" is not a whole number/);
    delete process.env.BOOK_JOBS;
    assert.ok(defaultJobs() >= 1);
  } finally {
    if (saved === undefined) delete process.env.BOOK_JOBS;
    else process.env.BOOK_JOBS = saved;
  }
});

test('a notebook runs alone (may use every core) only when nothing else runs or can start', async () => {
  const dir = tempDir('schedule-alone-');
  const a = notebook(dir, '01-a.ipynb');
  const b = notebook(dir, '02-b.ipynb', { after: ['01'] });
  const c = notebook(dir, '03-c.ipynb');
  const d = notebook(dir, '04-d.ipynb', { after: 'all' });
  const alone = {};
  const run = (jobs) =>
    Promise.all(
      runScheduled([a, b, c, d], {
        jobs,
        run: async (f, opts) => {
          alone[path.basename(f, '.ipynb')] = opts.alone;
          await new Promise((r) => setTimeout(r, f === a ? 30 : 5));
        },
      }).values(),
    );
  await run(2);
  // 01 and 03 share the cores; 02 starts while 03 may still run, or alone with only 04 left;
  // 04 waits for all, so it always runs alone
  assert.deepEqual([alone['01-a'], alone['03-c'], alone['04-d']], [false, false, true]);
  await run(1);
  assert.deepEqual(Object.values(alone), [true, true, true, true]);
});

test('the head of the longest chain of minutes starts first (metadata.book.minutes)', async () => {
  const dir = tempDir('schedule-minutes-');
  const a = notebook(dir, '01-a.ipynb', { minutes: 1 });
  const b = notebook(dir, '02-b.ipynb', { minutes: 2 });
  const c = notebook(dir, '03-c.ipynb', { minutes: 9 });
  const d = notebook(dir, '04-d.ipynb', { after: ['01'], minutes: 10 });
  const e = notebook(dir, '05-e.ipynb', { after: 'all', minutes: 1 });
  // chains: 01 → 04 → 05 is 12 minutes, 03 → 05 is 10, 02 → 05 is 3
  const chain = criticalPaths([a, b, c, d, e]);
  assert.deepEqual(
    [a, b, c, d, e].map((f) => chain.get(f)),
    [12, 3, 10, 11, 1],
  );
  const started = [];
  await Promise.all(
    runScheduled([a, b, c, d, e], {
      jobs: 1,
      run: async (f) => started.push(path.basename(f)),
    }).values(),
  );
  assert.deepEqual(started, ['01-a.ipynb', '04-d.ipynb', '03-c.ipynb', '02-b.ipynb', '05-e.ipynb']);
  const bad = notebook(dir, '06-bad.ipynb', { minutes: 'long' });
  assert.throws(() => criticalPaths([bad]), /06-bad\.ipynb: metadata\.book\.minutes must be/);
});

test('a kernel that shares the cores gets one wasm thread, even when BOOK_WASM_THREADS asks for two', () => {
  const saved = process.env.BOOK_WASM_THREADS;
  try {
    process.env.BOOK_WASM_THREADS = '2';
    assert.deepEqual(kernelEnv(false), { BOOK_WASM_THREADS: '1' });
    assert.deepEqual(kernelEnv(true), {}); // alone: the environment's 2
  } finally {
    if (saved === undefined) delete process.env.BOOK_WASM_THREADS;
    else process.env.BOOK_WASM_THREADS = saved;
  }
});

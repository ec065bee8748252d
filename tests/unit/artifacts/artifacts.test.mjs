import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ku, tf, backend } from '../helpers.mjs';

test('saveSamples writes an .npy with the samples and a PNG grid under build/artifacts/<notebook>/<mode>', async () => {
  await backend();
  const samples = tf.randomUniform([12, 28, 28]);
  const { npy, png } = ku.saveSamples('unit-test', 'samples', samples, { gridMax: 8 });
  const m = ku.mode();
  assert.equal(npy, path.join(process.env.BOOK_BUILD, 'artifacts', 'unit-test', m, 'samples.npy'));
  const back = ku.loadNpy(npy);
  assert.deepEqual(back.shape, [12, 28, 28]);
  assert.deepEqual(
    Array.from(back.data.subarray(0, 10)),
    Array.from(samples.dataSync().subarray(0, 10)),
  );
  const img = ku.decodePng(fs.readFileSync(png));
  assert.equal(img.width, 3 * 56 + 4 * 2); // 8 images → 3 columns at scale 2
  samples.dispose();
  assert.throws(() => ku.artifactsDir('../escape'), /must be letters, digits/);
});

test("a quick run's samples do not replace a standard run's: each mode has its folder", async () => {
  await backend();
  const saved = process.env.BOOK_MODE;
  try {
    process.env.BOOK_MODE = 'standard';
    ku.saveSamples('unit-modes', 'samples', {
      data: new Float32Array(16).fill(0.75),
      shape: [1, 4, 4],
    });
    process.env.BOOK_MODE = 'quick';
    ku.saveSamples('unit-modes', 'samples', {
      data: new Float32Array(16).fill(0.25),
      shape: [1, 4, 4],
    });
    const standard = ku.loadNpy(path.join(ku.samplesDir('unit-modes', 'standard'), 'samples.npy'));
    const quick = ku.loadNpy(path.join(ku.samplesDir('unit-modes', 'quick'), 'samples.npy'));
    assert.equal(standard.data[0], 0.75);
    assert.equal(quick.data[0], 0.25);
    assert.throws(() => ku.samplesDir('unit-modes', 'fast'), /"fast" is not a mode/);
  } finally {
    if (saved === undefined) delete process.env.BOOK_MODE;
    else process.env.BOOK_MODE = saved;
  }
});

test('saveSamples refuses values outside [0, 1] and writes nothing', async () => {
  await backend();
  const bad = { data: Float32Array.from([0, 0.5, 1.2, 0]), shape: [1, 2, 2] };
  assert.throws(
    () => ku.saveSamples('unit-test', 'out-of-range', bad),
    /saveSamples\(unit-test, out-of-range\): value 1\.2.* at index 2 is not in \[0, 1\]/,
  );
  const nan = { data: Float32Array.from([0, NaN, 0, 0]), shape: [1, 2, 2] };
  assert.throws(() => ku.saveSamples('unit-test', 'nan', nan), /value NaN at index 1/);
  const dir = ku.samplesDir('unit-test');
  assert.ok(!fs.existsSync(path.join(dir, 'out-of-range.npy')));
  assert.ok(!fs.existsSync(path.join(dir, 'nan.npy')));
});

test('recordMetrics stores what each number is, and refuses an undeclared or unrecorded one', () => {
  ku.recordMetrics(
    'unit-declared',
    'vae',
    { nll: 90.1, train_loss: 88, epochs: 50, note: 'text needs no declaration' },
    {
      declare: {
        nll: 'lower',
        train_loss: { better: 'lower', comparable: false },
        epochs: 'setting',
      },
    },
  );
  const [entry] = ku.readMetrics('unit-declared');
  assert.deepEqual(entry.declared, {
    nll: { kind: 'score', better: 'lower', comparable: true },
    train_loss: { kind: 'score', better: 'lower', comparable: false },
    epochs: { kind: 'setting', comparable: false },
  });
  assert.throws(
    () => ku.recordMetrics('unit-declared', 'bad', { nll: 1, k: 3 }, { declare: { nll: 'lower' } }),
    /metric "k" is not declared/,
  );
  assert.throws(
    () =>
      ku.recordMetrics(
        'unit-declared',
        'bad',
        { nll: 1 },
        { declare: { nll: 'lower', acc: 'higher' } },
      ),
    /"acc" is declared but not recorded/,
  );
});

test('recordMetrics keeps one entry per model, mode and dataset, and refuses non-finite numbers', () => {
  const declare = { nll: 'lower' };
  ku.recordMetrics('unit-metrics', 'vae', { nll: 91.5 }, { declare });
  ku.recordMetrics('unit-metrics', 'gmm', { nll: 120 }, { declare });
  ku.recordMetrics('unit-metrics', 'vae', { nll: 90.1 }, { declare });
  ku.recordMetrics('unit-metrics', 'vae', { nll: 80 }, { dataset: 'mnist', declare });
  const entries = ku.readMetrics('unit-metrics');
  assert.equal(entries.length, 3);
  assert.deepEqual(
    entries.map((e) => [e.model, e.dataset, e.metrics.nll]),
    [
      ['gmm', 'mnist-embedded', 120],
      ['vae', 'mnist-embedded', 90.1],
      ['vae', 'mnist', 80],
    ],
  );
  assert.ok(
    entries.every((e) => e.mode === ku.mode() && typeof e.backend === 'string' && e.recordedAt),
  );
  assert.throws(
    () => ku.recordMetrics('unit-metrics', 'bad', { nll: NaN }, { declare }),
    /metric "nll" is NaN/,
  );
  const file = path.join(ku.artifactsDir('unit-metrics'), 'metrics.json');
  fs.writeFileSync(file, '{oops');
  assert.throws(() => ku.readMetrics('unit-metrics'), /metrics\.json: not a valid metrics list/);
});

// `npm run metrics` (kernel-utils/bin/metrics.mjs) through a real process: its JSON equals the
// library's numbers, image arrays go through the digit classifier, bad files get clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ku, tempDir, backend, ROOT } from '../helpers.mjs';

await backend();
const dir = tempDir('gn-metrics-cli-');
const CLI = path.join(ROOT, 'kernel-utils', 'bin', 'metrics.mjs');

function run(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function save(name, data, shape) {
  const f = path.join(dir, name);
  ku.saveNpy(f, { data, shape });
  return f;
}

function gaussian(rng, n, d, shift = 0) {
  return Float32Array.from({ length: n * d }, () => shift + rng.normal());
}

test('raw features: the printed JSON is the library’s FID, KID, precision, recall, density, coverage', () => {
  const rng = new ku.Rng(11);
  const realData = gaussian(rng, 300, 8),
    fakeData = gaussian(rng, 200, 8, 0.4);
  const real = save('real.npy', realData, [300, 8]);
  const fake = save('fake.npy', fakeData, [200, 8]);
  const r = run(
    '--real',
    real,
    '--fake',
    fake,
    '--k',
    '3',
    '--kid-subsets',
    '7',
    '--kid-subset-size',
    '150',
    '--seed',
    '5',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const R = ku.matrix(realData, 300, 8),
    F = ku.matrix(fakeData, 200, 8);
  assert.ok(Math.abs(out.fid - ku.fid(R, F)) < 1e-9 * (1 + out.fid));
  const prdc = ku.precisionRecallDensityCoverage(R, F, { k: 3 });
  for (const key of ['precision', 'recall', 'density', 'coverage'])
    assert.equal(out[key], prdc[key], key);
  const kid = ku.kernelInceptionDistance(R, F, { subsets: 7, subsetSize: 150, seed: 5 });
  assert.ok(Math.abs(out.kid.mean - kid.mean) < 1e-9 && Math.abs(out.kid.std - kid.std) < 1e-9);
  assert.equal(out.is, undefined, 'no IS without the classifier');
  assert.equal(out.features, 'raw');
});

test('image arrays default to the digit classifier and add IS and conditional accuracy', () => {
  const data = ku.loadEmbeddedMnist();
  const n = 300;
  const real = save('digits-real.npy', data.train.images.subarray(0, n * 784), [n, 28, 28]);
  const fake = save('digits-fake.npy', data.test.images.subarray(0, n * 784), [n, 784]);
  const labels = save('digits-labels.npy', Int32Array.from(data.test.labels.subarray(0, n)), [n]);
  const r = run('--real', real, '--fake', fake, '--fake-labels', labels, '--kid-subsets', '5');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.features, 'classifier');
  assert.ok(out.is.mean > 8, `IS of real test digits ${out.is.mean}`);
  assert.ok(
    out.conditionalAccuracy >= 0.97,
    `classifier accuracy on the labels ${out.conditionalAccuracy}`,
  );
  assert.ok(out.precision > 0.6 && out.recall > 0.6, JSON.stringify(out));
  // Noise images: far worse FID, KID, recall, coverage and IS. (Not precision: the noise images
  // cluster together in feature space, inside the large ball of some outlying real digit — the
  // outlier sensitivity that density and coverage were designed against.)
  const noise = save(
    'noise.npy',
    Float32Array.from({ length: n * 784 }, () => Math.random()),
    [n, 784],
  );
  const bad = JSON.parse(run('--real', real, '--fake', noise, '--kid-subsets', '5').stdout);
  assert.ok(
    bad.fid > 10 * out.fid && bad.kid.mean > 10 * Math.abs(out.kid.mean),
    JSON.stringify(bad),
  );
  assert.ok(bad.recall < 0.1 && bad.coverage < 0.1 && bad.is.mean < 2, JSON.stringify(bad));
});

test('bad input: clear errors naming the file or the flag', () => {
  const rng = new ku.Rng(12);
  const good = save('good.npy', gaussian(rng, 50, 4), [50, 4]);
  const cases = [
    [['--real', good], /--real and --fake are required/],
    [['--real', good, '--fake', good, '--bogus', '1'], /unknown argument "--bogus"/],
    [['--real', good, '--fake', good, '--k', '0'], /--k must be a positive integer/],
    [
      ['--real', good, '--fake', good, '--features', 'pixels'],
      /--features must be raw or classifier/,
    ],
  ];
  const notNpy = path.join(dir, 'notes.npy');
  fs.writeFileSync(notNpy, 'hello');
  const withNan = gaussian(rng, 50, 4);
  withNan[9] = NaN;
  const nanFile = save('nan.npy', withNan, [50, 4]);
  const few = save('few.npy', gaussian(rng, 5, 4), [5, 4]);
  const vec = save('vector.npy', gaussian(rng, 50, 1), [50]);
  const wide = save('wide.npy', gaussian(rng, 50, 5), [50, 5]);
  const labels = save(
    'labels.npy',
    Int32Array.from({ length: 7 }, () => 1),
    [7],
  );
  cases.push(
    [['--real', good, '--fake', notNpy], /notes\.npy: not a \.npy file/],
    [
      ['--real', good, '--fake', path.join(dir, 'missing.npy')],
      /missing\.npy: cannot read \(ENOENT\)/,
    ],
    [['--real', nanFile, '--fake', good], /nan\.npy: row 2, column 1 is NaN/],
    [['--real', good, '--fake', few], /few\.npy: 5 samples are too few for k = 5/],
    [['--real', good, '--fake', vec], /vector\.npy: shape \[50\] is not N×D/],
    [['--real', good, '--fake', wide], /has 4 features per sample, .*wide\.npy has 5/],
    [
      ['--real', good, '--fake', good, '--features', 'classifier'],
      /good\.npy: shape \[50,4\] is not an array of 28×28 images/,
    ],
    [
      ['--real', good, '--fake', good, '--fake-labels', labels],
      /labels\.npy: shape \[7\] should be \[50\]/,
    ],
  );
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
    assert.match(r.stderr, pattern, `${args.join(' ')}`);
    assert.equal(r.stdout, '', 'nothing on stdout when it fails');
  }
});

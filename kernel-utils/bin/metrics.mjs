// `npm run metrics -- --real R.npy --fake F.npy [--features raw|classifier] [--k 5]
//   [--kid-subsets 100 --kid-subset-size 1000] [--fake-labels L.npy] [--seed 0]`
// Scores samples against real data and prints one JSON object:
//   {fid, kid:{mean,std}, precision, recall, density, coverage, is?, conditionalAccuracy?, …}
// Image arrays (N×28×28, N×28×28×1 or N×784, values in [0, 1]) are scored through the book's
// digit classifier by default; `--features raw` uses the arrays as given (N×D).
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const USAGE =
  'usage: npm run metrics -- --real R.npy --fake F.npy [--features raw|classifier] [--k 5] [--kid-subsets 100] [--kid-subset-size 1000] [--fake-labels L.npy] [--seed 0]';

function parse(argv) {
  const opts = {};
  const flags = {
    '--real': 'real',
    '--fake': 'fake',
    '--features': 'features',
    '--k': 'k',
    '--kid-subsets': 'kidSubsets',
    '--kid-subset-size': 'kidSubsetSize',
    '--fake-labels': 'fakeLabels',
    '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    if (a.includes('=')) [a, v] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const key = flags[a];
    if (!key) throw new Error(`unknown argument "${argv[i]}"`);
    if (v === undefined) v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    opts[key] = v;
  }
  if (!opts.real || !opts.fake) throw new Error('--real and --fake are required');
  if (opts.features && !['raw', 'classifier'].includes(opts.features))
    throw new Error(`--features must be raw or classifier, got "${opts.features}"`);
  for (const key of ['k', 'kidSubsets', 'kidSubsetSize', 'seed']) {
    if (opts[key] === undefined) continue;
    const n = Number(opts[key]);
    if (!Number.isInteger(n) || n < (key === 'seed' ? 0 : 1))
      throw new Error(
        `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a ${key === 'seed' ? 'non-negative' : 'positive'} integer, got "${opts[key]}"`,
      );
    opts[key] = n;
  }
  return opts;
}

let opts;
try {
  opts = parse(process.argv.slice(2));
} catch (e) {
  console.error(`metrics: ${e.message}\n${USAGE}`);
  process.exit(2);
}

try {
  const ku = require('kernel-utils');
  const backend = await ku.initBackend();
  console.error(`metrics: backend ${backend.name}`);
  const real = ku.loadNpy(opts.real);
  const fake = ku.loadNpy(opts.fake);
  let fakeLabels;
  if (opts.fakeLabels) {
    const l = ku.loadNpy(opts.fakeLabels);
    if (l.shape.length !== 1 || l.shape[0] !== fake.shape[0])
      throw new Error(
        `${opts.fakeLabels}: shape [${l.shape}] should be [${fake.shape[0]}] (one label per fake sample)`,
      );
    fakeLabels = Array.from(l.data);
  }
  const t0 = Date.now();
  const result = await ku.evaluateSamples(real, fake, {
    features: opts.features,
    k: opts.k,
    kidSubsets: opts.kidSubsets,
    kidSubsetSize: opts.kidSubsetSize,
    seed: opts.seed,
    fakeLabels,
    realName: opts.real,
    fakeName: opts.fake,
  });
  console.error(
    `metrics: ${result.nReal} real vs ${result.nFake} fake samples, ${result.features} features, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log(JSON.stringify(result));
} catch (e) {
  console.error(`metrics: ${e.message}`);
  process.exit(1);
}

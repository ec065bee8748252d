// `npm run bench:metrics [-- N D]`: time the metrics at the sizes the evaluator must handle
// (default 10,000 real × 10,000 fake samples, 2,048 features): FID (covariances, factors,
// eigenvalues), precision/recall/density/coverage (three k-NN passes) and KID (100 subsets of
// 1,000). One JSON line per metric; a benchmark, not a test.
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const ku = require('kernel-utils');
const n = Number(process.argv[2] ?? 10000);
const d = Number(process.argv[3] ?? 2048);
const backend = await ku.initBackend();
const rng = new ku.Rng(0);
const make = (shift) =>
  ku.matrix(
    Float32Array.from({ length: n * d }, () => shift + rng.normal()),
    n,
    d,
  );
const real = make(0),
  fake = make(0.05);
const time = (name, fn) => {
  const t0 = Date.now();
  const value = fn();
  const seconds = (Date.now() - t0) / 1000;
  console.log(JSON.stringify({ metric: name, n, d, backend: backend.name, seconds, value }));
  return value;
};
time('fid', () => {
  const t0 = Date.now();
  const s1 = ku.gaussianStats(real),
    s2 = ku.gaussianStats(fake);
  const covSeconds = (Date.now() - t0) / 1000;
  const r = ku.frechetDistance(s1, s2);
  return { fid: r.fid, covarianceSeconds: covSeconds };
});
time('prdc', () => ku.precisionRecallDensityCoverage(real, fake, { k: 5 }));
time('kid', () => ku.kernelInceptionDistance(real, fake, { subsets: 100, subsetSize: 1000 }));

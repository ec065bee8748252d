// Trial runs behind chapter 05 §4 (two moons): `node moons.mjs <couplings> <hidden> <epochs> <batch> <lr> <seeds, e.g. 1,2,3>`
// builds and trains ku.ch05's RealNVP (buildRealNvp + trainFlow, tanh, B = 2) on the notebook's data
// (ku.makeMoons(2000, 0.05, 1) to train, (2000, 0.05, 2) to test: the standard run's seeds 0 + 1, 0 + 2),
// the weights' initial draw from ku.seedEverything(seed); prints one JSON line per seed (README.md).
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../../package.json', import.meta.url));
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
await ku.initBackend();
const c = ku.ch05;
const [couplingsS, hiddenS, epochsS, batchS, lrS, seedsS] = process.argv.slice(2);
const spec = { couplings: +couplingsS, hidden: +hiddenS, logScaleBound: 2, activation: 'tanh' };
const epochs = +epochsS, batchSize = +batchS, learningRate = +lrS;
const toT = (t) => tf.tensor2d(t.x, [t.n, 2]);
const train = toT(ku.makeMoons(2000, 0.05, 1));
const test = toT(ku.makeMoons(2000, 0.05, 2));
const nll = (flow, x) => tf.tidy(() => -flowMean(flow, x));
const flowMean = (flow, x) => c.flowLogDensity(flow, x).mean().dataSync()[0];
for (const seed of seedsS.split(',').map(Number)) {
  ku.seedEverything(seed);
  const flow = c.buildRealNvp(2, spec);
  const params = flow.couplings.reduce((s, k) => s + k.net.countParams(), 0);
  const t0 = performance.now();
  const hist = await c.trainFlow(flow, { name: `moons-${seed}`, train, test, epochs, batchSize, learningRate, evalEvery: Math.max(1, Math.round(epochs / 20)) });
  const secs = (performance.now() - t0) / 1000;
  const tests = hist.filter((r) => r.test !== undefined).map((r) => +r.test.toFixed(3));
  console.log(JSON.stringify({ seed, ...spec, params, epochs, batchSize, learningRate, secs: +secs.toFixed(1), trainNll: +nll(flow, train).toFixed(4), testNll: +nll(flow, test).toFixed(4), testCurve: tests }));
  flow.couplings.forEach((k) => k.net.dispose());
}

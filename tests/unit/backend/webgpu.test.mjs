// The WebGPU path on a real adapter: tfjs' webgpu backend on Dawn (npm `webgpu`) over Vulkan. On a
// machine without a GPU it runs on Mesa's software Vulkan (lavapipe, Mesa ≥ 25: Debian 12's 22.3
// is refused by Dawn), which `auto` must never pick and BOOK_BACKEND=webgpu uses. Each run is a
// child process, so that its exit (clean, in time) is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ku, ROOT } from '../helpers.mjs';

const INSTALL =
  'WebGPU needs a Vulkan driver. Without a GPU, install Mesa ≥ 25 (lavapipe); on Debian 12, as ' +
  "root: echo 'deb http://deb.debian.org/debian bookworm-backports main' > " +
  '/etc/apt/sources.list.d/bookworm-backports.list && apt-get update && apt-get install -y ' +
  '-t bookworm-backports mesa-vulkan-drivers libvulkan1';

function inChild(env, code, timeout = 180000) {
  return spawnSync(process.execPath, ['-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout,
  });
}

// a few Adam steps of a dense and a conv model from the same seed; losses and tensor counts
const TRAIN = `
const ku = require('kernel-utils');
const tf = require('@tensorflow/tfjs');
(async () => {
  const r = await ku.initBackend();
  const out = { backend: r.name, providedBy: r.providedBy, models: {} };
  const models = {
    dense: () => tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [64], units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 10 }) ] }),
    conv: () => tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, strides: 2,
        padding: 'same', activation: 'relu' }),
      tf.layers.flatten(), tf.layers.dense({ units: 10 }) ] }),
  };
  for (const [name, build] of Object.entries(models)) {
    ku.seedEverything(7);
    const m = build();
    const shape = name === 'dense' ? [16, 64] : [16, 12, 12, 1];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 11);
    const y = tf.oneHot(tf.tensor1d([0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5], 'int32'), 10);
    const opt = tf.train.adam(1e-2);
    const losses = [], tensors = [];
    for (let s = 0; s < 6; s++) {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x)), true);
      // read asynchronously: tfjs-webgpu's synchronous read needs OffscreenCanvas, which Node lacks
      losses.push((await loss.data())[0]);
      loss.dispose();
      tensors.push(tf.memory().numTensors);
    }
    opt.dispose(); tf.dispose([x, y]); m.dispose();
    out.models[name] = { losses, tensors };
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.message); process.exit(3); });
`;
const REPORT = `require('kernel-utils').initBackend().then(r => console.log(JSON.stringify(r)), e => { console.error(e.message); process.exit(3); })`;

const probe = ku.probeWebGpu();

test('adapters named lavapipe, llvmpipe or SwiftShader (or flagged fallback) are software', () => {
  const info = (description, vendor = '', architecture = '') => ({
    vendor,
    architecture,
    device: '',
    description,
  });
  assert.equal(ku.isSoftwareAdapter(info('llvmpipe: Mesa 25.0.7', 'mesa', 'software')), true);
  assert.equal(ku.isSoftwareAdapter(info('lavapipe')), true);
  assert.equal(ku.isSoftwareAdapter(info('SwiftShader Device (Subzero)', 'google')), true);
  assert.equal(ku.isSoftwareAdapter(info('NVIDIA GeForce RTX 4090', 'nvidia', 'lovelace')), false);
  assert.equal(ku.isSoftwareAdapter(info('NVIDIA H200', 'nvidia', 'hopper'), true), true);
  assert.equal(
    ku.describeAdapter({ ...info('NVIDIA H200', 'nvidia', 'hopper'), software: false }),
    'nvidia hopper (NVIDIA H200)',
  );
});

test('this machine offers a WebGPU adapter (software Vulkan at least)', () => {
  assert.ok('adapter' in probe, `${probe.why}\n${INSTALL}`);
});

test('BOOK_BACKEND=webgpu trains a dense and a conv model as the cpu backend does, leaking nothing', () => {
  assert.ok('adapter' in probe, INSTALL);
  const t0 = Date.now();
  const gpu = inChild({ BOOK_BACKEND: 'webgpu' }, TRAIN);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(
    gpu.status,
    0,
    `the webgpu run did not exit cleanly: ${gpu.signal ?? ''}${gpu.stderr}`,
  );
  const cpu = inChild({ BOOK_BACKEND: 'cpu' }, TRAIN);
  assert.equal(cpu.status, 0, cpu.stderr);
  const [g, c] = [JSON.parse(gpu.stdout), JSON.parse(cpu.stdout)];
  assert.equal(g.backend, 'webgpu');
  assert.match(g.providedBy, /tfjs-backend-webgpu on /);
  for (const name of ['dense', 'conv']) {
    const [lg, lc] = [g.models[name].losses, c.models[name].losses];
    // float32 on both; the GPU sums in another order: agreement to 1e-4 relative over six steps
    const worst = Math.max(...lg.map((v, i) => Math.abs(v - lc[i]) / Math.abs(lc[i])));
    assert.ok(worst < 1e-4, `${name}: webgpu ${lg} vs cpu ${lc} (worst relative ${worst})`);
    assert.ok(lg[5] < lg[0], `${name}: the loss falls (${lg})`);
    const t = g.models[name].tensors;
    assert.equal(new Set(t).size, 1, `${name}: tf.memory().numTensors over the steps: ${t}`);
    console.log(
      `${name}: worst relative loss gap ${worst.toExponential(1)} (webgpu run ${seconds} s)`,
    );
  }
});

test('auto never picks a software adapter; it says why it passed WebGPU over', () => {
  assert.ok('adapter' in probe, INSTALL);
  const r = inChild({ BOOK_BACKEND: 'auto' }, REPORT);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const attempt = report.attempts.find((a) => a.backend === 'webgpu');
  if (probe.adapter.software) {
    assert.notEqual(report.name, 'webgpu');
    assert.equal(attempt.outcome, 'unavailable');
    assert.match(
      attempt.why,
      /only a software adapter, .*used only when forced \(BOOK_BACKEND=webgpu\)/,
    );
    // and a notebook that only asked is not made to print Dawn's warnings
    assert.doesNotMatch(r.stderr, /Warning/);
  } else assert.ok(['node-gpu', 'webgpu'].includes(report.name), JSON.stringify(report.attempts));
});

test('forced webgpu with no adapter is an error naming why, never a silent fallback', () => {
  const r = inChild({ BOOK_BACKEND: 'webgpu', VK_ICD_FILENAMES: '/nonexistent/icd.json' }, REPORT);
  assert.equal(r.status, 3, `it ran instead: ${r.stdout}`);
  assert.match(r.stderr, /BOOK_BACKEND=webgpu cannot be used here:\n {2}webgpu: no WebGPU adapter/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ku, tf, ROOT } from '../helpers.mjs';

function inChild(env, code) {
  return spawnSync(process.execPath, ['-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}
const REPORT = `require('kernel-utils').initBackend().then(r => console.log(JSON.stringify(r)), e => { console.error(e.message); process.exit(3); })`;

test('the chosen backend is the first that works, and every better one says why not', async () => {
  const r = await ku.initBackend();
  assert.equal(tf.getBackend(), r.tfBackend);
  const chosen = ku.BACKENDS.indexOf(r.name);
  const better = ku.BACKENDS.slice(0, chosen);
  for (const b of better) {
    const a = r.attempts.find((x) => x.backend === b);
    assert.ok(
      a && a.outcome === 'unavailable' && a.why.length > 10,
      `${b} needs a reason: ${JSON.stringify(a)}`,
    );
  }
  assert.equal(r.attempts.find((a) => a.outcome === 'chosen').backend, r.name);
  const text = ku.describeBackend(r);
  assert.match(text, new RegExp(`backend: ${r.name}`));
  // the same report on a second call (re-running a notebook's first cell)
  assert.equal(await ku.initBackend(), r);
  // where no native binding is installed (as here), wasm is what the book runs on
  const nativeInstalled = ['tfjs-node-native', '@tensorflow/tfjs-node-gpu'].some((id) => {
    try {
      require.resolve(id);
      return true;
    } catch {
      return false;
    }
  });
  if (!nativeInstalled) assert.equal(r.name, 'wasm');
});

test('BOOK_BACKEND forces a backend; an unknown or unavailable one is a clear error', () => {
  const cpu = inChild({ BOOK_BACKEND: 'cpu' }, REPORT);
  assert.equal(cpu.status, 0, cpu.stderr);
  const r = JSON.parse(cpu.stdout);
  assert.equal(r.name, 'cpu');
  assert.equal(r.forced, true);
  const bogus = inChild({ BOOK_BACKEND: 'tpu' }, REPORT);
  assert.equal(bogus.status, 3);
  assert.match(
    bogus.stderr,
    /BOOK_BACKEND="tpu" is not a backend: use one of node-gpu, webgpu, node, wasm, cpu/,
  );
  const gpu = inChild({ BOOK_BACKEND: 'node-gpu' }, REPORT);
  if (gpu.status === 0) assert.equal(JSON.parse(gpu.stdout).gpu, true);
  else assert.match(gpu.stderr, /BOOK_BACKEND=node-gpu cannot be used here:\n {2}node-gpu: /);
});

test('wasm and cpu backends agree on a dense layer forward pass', async () => {
  const run = (b) => {
    const out = inChild(
      { BOOK_BACKEND: b },
      `const ku=require('kernel-utils'); const tf=require('@tensorflow/tfjs'); ku.initBackend().then(() => { ku.seedEverything(9); const m=tf.sequential({layers:[tf.layers.dense({units:5,inputShape:[7],activation:'relu'}),tf.layers.dense({units:3})]}); console.log(JSON.stringify(Array.from(m.predict(tf.randomNormal([4,7])).dataSync()))); })`,
    );
    assert.equal(out.status, 0, out.stderr);
    return JSON.parse(out.stdout);
  };
  const a = run('wasm');
  const b = run('cpu');
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5, `${v} vs ${b[i]}`));
});

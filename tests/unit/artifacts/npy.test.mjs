import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ku, tf, tempDir } from '../helpers.mjs';
import { numpyPython } from '../../../kernel-utils/bin/jupyter.mjs';

test('.npy round-trips float32, float64, int32 and uint8 with 64-byte aligned headers', () => {
  const cases = [
    new Float32Array([1.5, -2, 3.25, 0, 7, 8]),
    new Float64Array([Math.PI, 1e-300, 2, 3, 4, 5]),
    new Int32Array([1, -2, 3, 4, 5, 6]),
    new Uint8Array([0, 255, 3, 4, 5, 6]),
  ];
  for (const data of cases) {
    const bytes = ku.encodeNpy(data, [2, 3]);
    const headerLen = bytes.readUInt16LE(8);
    assert.equal((10 + headerLen) % 64, 0);
    const back = ku.decodeNpy(bytes);
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(Array.from(back.data), Array.from(data));
    assert.equal(back.data.constructor, data.constructor);
  }
  assert.throws(
    () => ku.encodeNpy(new Float32Array(5), [2, 3]),
    /shape \[2,3\] has 6 elements but the data has 5/,
  );
  assert.throws(
    () => ku.decodeNpy(Buffer.from('hello world'), 'x.npy'),
    /x\.npy: not a \.npy file/,
  );
});

test('NumPy reads what saveNpy writes (and we read what NumPy writes)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'a.npy');
  const t = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
  ku.saveNpy(file, t);
  t.dispose();
  const python = numpyPython();
  assert.ok(python, 'NumPy must be installed (Debian python3-numpy): npm test installs it as root');
  const py = spawnSync(
    python,
    [
      '-c',
      `import numpy as np; a=np.load(${JSON.stringify(file)}); print(a.dtype, a.shape, a.sum(), a[1,0,1]); np.save(${JSON.stringify(path.join(dir, 'b.npy'))}, np.arange(6, dtype=np.int64).reshape(3,2)*3)`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(py.status, 0, `numpy (Debian python3-numpy) must be installed: ${py.stderr}`);
  assert.equal(py.stdout.trim(), 'float32 (2, 2, 2) 36.0 6.0');
  const b = ku.loadNpy(path.join(dir, 'b.npy'));
  assert.deepEqual(b.shape, [3, 2]);
  assert.equal(b.dtype, '<i8');
  assert.deepEqual(Array.from(b.data), [0, 3, 6, 9, 12, 15]);
  fs.writeFileSync(path.join(dir, 'cut.npy'), fs.readFileSync(file).subarray(0, 100));
  assert.throws(
    () => ku.loadNpy(path.join(dir, 'cut.npy')),
    /cut\.npy: shape \[2,2,2\] needs 32 data bytes, the file has/,
  );
});

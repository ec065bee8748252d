import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { ku, tempDir } from '../helpers.mjs';

const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

// A loopback server standing in for a dataset mirror; `files` maps names to bytes.
async function serve(files) {
  const server = http.createServer((req, res) => {
    const body = files[path.basename(req.url)];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections(); // fetch keeps sockets alive; don't wait for them to time out
        server.close(r);
      }),
  };
}

test('pinned datasets: the official MNIST and Fashion-MNIST files are pinned by SHA-256 and size', () => {
  for (const name of ['mnist', 'fashion-mnist']) {
    const spec = ku.REMOTE_DATASETS[name];
    assert.equal(spec.files.length, 4);
    for (const f of spec.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
  }
  assert.equal(
    ku.REMOTE_DATASETS.mnist.files[0].sha256,
    '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  );
});

test('downloads are verified, then renamed into place; a bad mirror falls through to a good one', async () => {
  const good = zlib.gzipSync(ku.encodeIdx([2, 28, 28], new Uint8Array(2 * 784).fill(9)));
  const bad = Buffer.from(good);
  bad[bad.length - 1] ^= 0xff;
  const badMirror = await serve({ 'x.gz': bad });
  const goodMirror = await serve({ 'x.gz': good });
  const dir = tempDir();
  const spec = {
    name: 'tiny',
    mirrors: [badMirror.url, goodMirror.url],
    files: [{ file: 'x.gz', bytes: good.length, sha256: sha(good) }],
  };
  const log = [];
  try {
    await ku.downloadFiles(spec, dir, { log: (s) => log.push(s) });
  } finally {
    await badMirror.close();
    await goodMirror.close();
  }
  assert.deepEqual(fs.readFileSync(path.join(dir, 'x.gz')), good);
  assert.deepEqual(fs.readdirSync(dir), ['x.gz']);
  await ku.downloadFiles(spec, dir, { log: (s) => log.push(s) });
  assert.match(log.at(-1), /x\.gz: present, checksum ok/);
});

test('when every mirror serves a wrong file, nothing is written and the error says what to do', async () => {
  const good = Buffer.from('the real file');
  const mirror = await serve({ 'y.gz': Buffer.from('a different file') });
  const dir = tempDir();
  const spec = {
    name: 'tiny',
    mirrors: [mirror.url, 'http://127.0.0.1:9/'],
    files: [{ file: 'y.gz', bytes: good.length, sha256: sha(good) }],
  };
  try {
    await assert.rejects(ku.downloadFiles(spec, dir, { log: () => {}, timeoutMs: 5000 }), (e) => {
      assert.match(e.message, /could not download y\.gz for tiny/);
      assert.match(e.message, /16 bytes, expected 13/);
      assert.match(e.message, /Copy the official file \(SHA-256 [0-9a-f]{64}\) into/);
      return true;
    });
  } finally {
    await mirror.close();
  }
  assert.deepEqual(fs.readdirSync(dir), []);
  await assert.rejects(
    ku.downloadDataset('cifar'),
    /unknown dataset "cifar": choose one of mnist, fashion-mnist/,
  );
});

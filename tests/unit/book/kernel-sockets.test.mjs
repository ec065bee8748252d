// The book's kernel (kernel-utils/bin/tslab-kernel.cjs) mends tslab's use of zeromq: tslab starts
// receiving on its sockets, and may answer on another, before their binds have finished, which
// zeromq refuses with EBUSY ("Socket is blocked by a bind or unbind operation"); once, in CI, the
// kernel died that way before its first cell. Real zeromq sockets, in the order tslab uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { require, ROOT } from '../helpers.mjs';

const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [ROOT] }));
const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));
require(path.join(ROOT, 'kernel-utils', 'bin', 'tslab-kernel.cjs'));

test('receive and send issued before a bind finishes wait for it instead of failing', async () => {
  const busy = [];
  for (let i = 0; i < 20; i++) {
    const shell = new zmq.Router();
    const iopub = new zmq.Publisher();
    // tslab's order: the receive loop first, then the binds, and a status sent meanwhile
    const received = shell.receive();
    const binds = [shell.bind('tcp://127.0.0.1:*'), iopub.bind('tcp://127.0.0.1:*')];
    const sent = iopub.send('status').catch((e) => busy.push(`send: ${e.code} ${e.message}`));
    await Promise.all(binds);
    await sent;
    // the early receive still gets a message once a client connects
    const client = new zmq.Dealer();
    client.connect(shell.lastEndpoint);
    await client.send('kernel_info_request');
    const [, body] = await received;
    assert.equal(body.toString(), 'kernel_info_request');
    for (const s of [client, shell, iopub]) s.close();
  }
  assert.deepEqual(busy, []);
});

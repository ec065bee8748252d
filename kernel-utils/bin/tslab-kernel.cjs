#!/usr/bin/env node
// The book's Jupyter kernel: tslab 1.0.22 (its last release) with one fix, applied at start-up.
//
// tslab sends every Jupyter message with zeromq's `socket.send()` without awaiting it. zeromq 6
// sends synchronously, but after 512 synchronous sends on a socket it delays the next one to let
// the event loop breathe; a send issued while that one is pending throws "Socket is busy
// writing; only one send operation may be in progress at any time" (EBUSY), uncaught, and the
// kernel dies. A cell that displays a few hundred outputs in a row, or a long notebook (each cell
// costs several status and output messages), hits it. The fix: a send issued while an earlier
// one on the same socket is still pending waits for it; order is kept, nothing is dropped, and
// the usual case (nothing pending) still sends at once. And the output channel has no send limit,
// so a burst of outputs is delayed, never dropped (see unboundedPublisher).
// Usage (what build/jupyter/kernels/tslab/kernel.json runs): tslab-kernel.cjs kernel --config-path F
const path = require('node:path');

const tslabDir = path.dirname(
  require.resolve('tslab/package.json', { paths: [process.cwd(), __dirname] }),
);
const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));

/**
 * Make `send` on every zeromq socket wait for the socket's previous send when it is pending.
 * zeromq's native `send` is a read-only property of its Socket prototype, so the wrapper is
 * defined on each socket class's own prototype (Publisher, Router, Reply, …), shadowing it.
 */
function serializeSends(zeromq) {
  const Socket = zeromq.Socket;
  const send = Socket.prototype.send;
  const pending = new WeakMap(); // socket → the promise of its last send, until it settles
  function serialized(msg) {
    const before = pending.get(this);
    const run = () => send.call(this, msg);
    const result = before ? before.then(run, run) : run();
    pending.set(this, result);
    const clear = () => {
      if (pending.get(this) === result) pending.delete(this);
    };
    result.then(clear, clear);
    return result;
  }
  serialized.serialized = true;
  const classes = Object.values(zeromq).filter(
    (C) => typeof C === 'function' && C.prototype instanceof Socket,
  );
  if (classes.length === 0) throw new Error('tslab-kernel: found no zeromq socket classes');
  for (const C of classes) {
    if (C.prototype.send && C.prototype.send.serialized) continue;
    Object.defineProperty(C.prototype, 'send', {
      value: serialized,
      writable: true,
      configurable: true,
    });
  }
}

/**
 * Jupyter's output channel (a Publisher) without zeromq's send limit: at the default high-water
 * mark of 1,000 queued messages a publisher drops what it cannot queue, silently, so a reader
 * behind a burst of outputs lost some (a 5,000-output cell arrived with 4,675 to 4,993 of them).
 */
function unboundedPublisher(zeromq) {
  if (zeromq.Publisher.unbounded) return;
  const Publisher = zeromq.Publisher;
  class UnboundedPublisher extends Publisher {
    constructor(options = {}) {
      super({ sendHighWaterMark: 0, ...options });
    }
  }
  UnboundedPublisher.unbounded = true;
  zeromq.Publisher = UnboundedPublisher;
}

serializeSends(zmq);
unboundedPublisher(zmq);
module.exports = { serializeSends, unboundedPublisher };
if (require.main === module) require(path.join(tslabDir, 'dist', 'main.js')).main();

#!/usr/bin/env node
// The book's Jupyter kernel: tslab 1.0.22 (its last release) with two fixes to its sockets,
// applied at start-up (mendSockets).
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
//
// And a second race, at start-up: tslab binds its five sockets at once and starts receiving on
// them before the binds finish. A message answered while another socket is still binding (the
// kernel_info reply's status on the output channel) throws "Socket is blocked by a bind or
// unbind operation" (EBUSY), and the kernel dies before its first cell (seen once in CI, on
// chapter 16). The fix: a send or receive on a socket not yet bound waits for its bind.
// Usage (what build/jupyter/kernels/tslab/kernel.json runs): tslab-kernel.cjs kernel --config-path F
const path = require('node:path');

const tslabDir = path.dirname(
  require.resolve('tslab/package.json', { paths: [process.cwd(), __dirname] }),
);
const zmq = require(require.resolve('zeromq', { paths: [tslabDir] }));

/** The socket classes of zeromq (Publisher, Router, Reply, …). */
function socketClasses(zeromq) {
  const classes = Object.values(zeromq).filter(
    (C) => typeof C === 'function' && C.prototype instanceof zeromq.Socket,
  );
  if (classes.length === 0) throw new Error('tslab-kernel: found no zeromq socket classes');
  return classes;
}

/**
 * The two fixes, on every zeromq socket class: `send` waits for the socket's previous send while
 * that is pending, and `send` and `receive` wait until the socket is bound (or connected).
 * zeromq's native methods are read-only properties of its Socket prototype, so the wrappers are
 * defined on each socket class's own prototype (Publisher, Router, Reply, …), shadowing them.
 */
function mendSockets(zeromq) {
  // socket → {promise, done}: settles when its bind finishes (either way) or it connects
  const readiness = new WeakMap();
  const ready = (socket) => {
    let r = readiness.get(socket);
    if (!r) {
      let resolve;
      r = { promise: new Promise((res) => (resolve = res)), done: false };
      r.resolve = () => ((r.done = true), resolve());
      readiness.set(socket, r);
    }
    return r;
  };
  // a promise of the socket's bind while it is pending or not yet begun; null once bound
  const whenReady = (socket) => (ready(socket).done ? null : ready(socket).promise);
  const pending = new WeakMap(); // socket → the promise of its last send, until it settles
  for (const C of socketClasses(zeromq)) {
    const proto = C.prototype;
    if (proto.send && proto.send.mended) continue;
    const { send, bind, connect, receive } = proto;
    const define = (name, value) =>
      Object.defineProperty(proto, name, { value, writable: true, configurable: true });
    function mendedSend(msg) {
      const waits = [pending.get(this), whenReady(this)].filter(Boolean);
      const run = () => send.call(this, msg);
      const result = waits.length ? Promise.all(waits).then(run, run) : run();
      pending.set(this, result);
      const clear = () => {
        if (pending.get(this) === result) pending.delete(this);
      };
      result.then(clear, clear);
      return result;
    }
    mendedSend.mended = true;
    define('send', mendedSend);
    define('bind', function (address) {
      const result = bind.call(this, address);
      // a failed bind lets the waiting calls go on, to fail as they would have
      result.then(
        () => ready(this).resolve(),
        () => ready(this).resolve(),
      );
      return result;
    });
    define('connect', function (address) {
      const result = connect.call(this, address);
      ready(this).resolve();
      return result;
    });
    if (typeof receive !== 'function') continue; // a Publisher only sends
    define('receive', function () {
      const wait = whenReady(this);
      return wait ? wait.then(() => receive.call(this)) : receive.call(this);
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

mendSockets(zmq);
unboundedPublisher(zmq);
module.exports = { mendSockets, unboundedPublisher };
if (require.main === module) require(path.join(tslabDir, 'dist', 'main.js')).main();

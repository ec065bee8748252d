/**
 * The second thread of kernel-utils' GEMM (gemm.ts): a worker_threads worker with gemm.wat
 * instantiated on the wasm backend's shared memory. It waits on a control block (Atomics), runs
 * gemmPacked on the rows it is given, and signals done; the main thread does the other rows.
 * It runs for the life of the process (unref'd, it does not keep the process alive).
 */
import * as fs from 'fs';
import { workerData } from 'worker_threads';
import { CTL } from './gemm-control';

interface Exports {
  gemmPacked(...args: number[]): void;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Exports };
};

const {
  memory,
  ctl: sab,
  file,
} = workerData as { memory: unknown; ctl: SharedArrayBuffer; file: string };
const ctl = new Int32Array(sab);
const { exports: gemm } = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {
  tfjs: { memory },
});
Atomics.store(ctl, CTL.ready, 1);
Atomics.notify(ctl, CTL.ready);
let seen = 0;
for (;;) {
  Atomics.wait(ctl, CTL.job, seen);
  const job = Atomics.load(ctl, CTL.job);
  seen = job;
  gemm.gemmPacked(...ctl.subarray(CTL.args, CTL.args + CTL.nArgs));
  Atomics.store(ctl, CTL.done, job);
  Atomics.notify(ctl, CTL.done);
}

/** The control block shared by gemm.ts and its worker (Int32 slots of a SharedArrayBuffer). */
export const CTL = {
  /** 1 once the worker has instantiated the GEMM. */
  ready: 0,
  /** The number of the job the worker is to run (1, 2, …). */
  job: 1,
  /** The last job number the worker finished. */
  done: 2,
  /** gemmPacked's 12 arguments. */
  args: 4,
  nArgs: 12,
  size: 16,
} as const;

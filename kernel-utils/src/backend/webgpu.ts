/**
 * The WebGPU path: @tensorflow/tfjs-backend-webgpu on Dawn's Node binding (the npm package
 * `webgpu`, optional), over the machine's Vulkan driver. It is the GPU path that works with
 * today's NVIDIA drivers (tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1).
 *
 * A software adapter (Mesa's lavapipe/llvmpipe, SwiftShader) is a CPU in disguise: `auto` never
 * picks it; BOOK_BACKEND=webgpu uses it (the tests do, to exercise this path without a GPU). The
 * adapter is first looked at in a child process, because Dawn writes warnings to stderr when it
 * opens a device, and a notebook that only asks "is there a GPU?" should print nothing.
 */
import { spawnSync } from 'child_process';
import * as tf from '@tensorflow/tfjs';

export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a CPU implementation of Vulkan/WebGPU (lavapipe, llvmpipe, SwiftShader). */
  software: boolean;
}

const SOFTWARE = /lavapipe|llvmpipe|swiftshader|software/i;

/** Whether an adapter's info names a software implementation. */
export function isSoftwareAdapter(
  info: Omit<WebGpuAdapter, 'software'>,
  fallback = false,
): boolean {
  return (
    fallback ||
    SOFTWARE.test([info.vendor, info.architecture, info.device, info.description].join(' '))
  );
}

/** The resolved path of the `webgpu` package, or null when it is not installed. */
export function webgpuPackage(): string | null {
  try {
    return require.resolve('webgpu');
  } catch {
    return null;
  }
}

// run in a child process: the adapter's info as one JSON line, or {"none": reason}
const PROBE = `
const { create, globals } = require(process.argv[1]);
Object.assign(globalThis, globals);
(async () => {
  const adapter = await create([]).requestAdapter();
  if (!adapter) return console.log(JSON.stringify({ none: 'no adapter' }));
  const i = adapter.info || {};
  console.log(JSON.stringify({ vendor: i.vendor || '', architecture: i.architecture || '',
    device: i.device || '', description: i.description || '',
    fallback: !!(adapter.isFallbackAdapter || i.isFallbackAdapter) }));
})().then(() => process.exit(0), (e) => { console.log(JSON.stringify({ none: String(e) })); process.exit(0); });
`;

/**
 * The WebGPU adapter this machine offers, looked at in a child process: {adapter} or {why} it has
 * none (package missing, no Vulkan driver, the probe failing).
 */
export function probeWebGpu(): { adapter: WebGpuAdapter } | { why: string } {
  const pkg = webgpuPackage();
  if (!pkg) return { why: 'the optional package webgpu (Dawn for Node) is not installed' };
  const r = spawnSync(process.execPath, ['-e', PROBE, pkg], { encoding: 'utf8', timeout: 30000 });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let got: Record<string, unknown>;
  try {
    got = JSON.parse(line);
  } catch {
    const err = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { why: `the WebGPU probe failed (${r.error?.message ?? `exit ${r.status}`}: ${err})` };
  }
  if (got.none)
    return {
      why:
        `no WebGPU adapter (${got.none}): Dawn needs a Vulkan driver — libvulkan.so.1 and the ` +
        "GPU's Vulkan ICD (in containers NVIDIA_DRIVER_CAPABILITIES must include graphics)",
    };
  const info = {
    vendor: String(got.vendor),
    architecture: String(got.architecture),
    device: String(got.device),
    description: String(got.description),
  };
  return { adapter: { ...info, software: isSoftwareAdapter(info, !!got.fallback) } };
}

/** An adapter in words: "nvidia ampere (NVIDIA GeForce …)", marked software when it is one. */
export function describeAdapter(a: WebGpuAdapter): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown vendor';
  const detail = a.description || a.device;
  const mark = a.software && !/software/i.test(name) ? ', software' : '';
  return `${name}${detail ? ` (${detail})` : ''}${mark}`;
}

// Dawn's GPU object: kept for the life of the process (a collected one loses its devices)
let gpu: unknown = null;

/** Initialize tfjs' webgpu backend in this process; throws naming what failed. */
export async function startWebGpuBackend(): Promise<void> {
  const pkg = webgpuPackage();
  if (!pkg) throw new Error('the optional package webgpu is not installed');
  const { create, globals } = require(pkg);
  Object.assign(globalThis, globals);
  gpu = create([]);
  // tfjs looks for navigator.gpu (Node ≥ 21 has a navigator of its own: keep what it holds)
  const nav = (globalThis as { navigator?: object }).navigator;
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.assign(Object.create(nav ?? null), { gpu }),
    configurable: true,
    writable: true,
  });
  require('@tensorflow/tfjs-backend-webgpu');
  // tfjs logs a failed initialization and returns false; here that is an error, never a fallback
  if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu')
    throw new Error('tfjs could not initialize its webgpu backend on this adapter');
  explainSyncReads(tf.backend() as unknown as { readSync: (dataId: unknown) => unknown });
}

/**
 * tfjs' webgpu backend reads a GPU tensor synchronously (dataSync, arraySync) through an
 * OffscreenCanvas, which Node does not have: its "OffscreenCanvas is not defined" becomes an error
 * that says what to do instead.
 */
function explainSyncReads(backend: { readSync: (dataId: unknown) => unknown }): void {
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: unknown) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (!/OffscreenCanvas/.test(String(e))) throw e;
      throw new Error(
        'the webgpu backend cannot read a tensor synchronously in Node (dataSync/arraySync ' +
          'need an OffscreenCanvas): read it with await t.data() or await t.array()',
      );
    }
  };
}

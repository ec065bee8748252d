// Finding (or installing) Jupyter for the book's commands, and the environment they run in.
// Jupyter comes from the OS: Debian/Ubuntu packages when we are root, else a clear message.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JUPYTER_DIR = path.join(ROOT, 'build', 'jupyter');
export const APT_PACKAGES = ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'python3-ipykernel', 'jupyter-notebook'];

const MODULES = { run: ['nbclient', 'nbformat', 'nbconvert'], start: ['notebook', 'jupyter_client'] };

function pythonHas(python, modules) {
  const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
  return r.status === 0;
}

function candidates() {
  return [process.env.BOOK_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
}

/** A python that can import what `purpose` ('run' or 'start') needs, or null. */
export function findPython(purpose = 'run') {
  const mods = MODULES[purpose];
  return candidates().find((p) => pythonHas(p, mods)) ?? null;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * A python with Jupyter for `purpose`. When missing: as root on Debian/Ubuntu, install it with
 * apt-get; otherwise stop with one message that names the command to run.
 */
export function ensureJupyter(purpose = 'run') {
  let py = findPython(purpose);
  if (py) return py;
  const aptCmd = `apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (isRoot() && hasAptGet() && process.env.BOOK_NO_APT !== '1') {
    console.error(`Jupyter (${MODULES[purpose].join(', ')}) is missing; installing it from the OS packages: ${aptCmd}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const inst = upd.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...APT_PACKAGES], { stdio: 'inherit', env }) : upd;
    if (inst.status !== 0) throw new Error(`installing Jupyter failed (apt-get exited ${inst.status}); run by hand: ${aptCmd}`);
    py = findPython(purpose);
    if (py) return py;
  }
  throw new Error(
    `Jupyter (${MODULES[purpose].join(', ')}) is not installed for ${candidates().join(' or ')}. Install it with\n` +
      `    sudo ${aptCmd}\n` +
      `or  python3 -m pip install nbclient nbconvert notebook\n` +
      'or set BOOK_PYTHON to a python that has them.',
  );
}

/** The environment for Jupyter: the project's kernel registry first on JUPYTER_PATH. */
export function jupyterEnv(extra = {}) {
  const kernelJson = path.join(JUPYTER_DIR, 'kernels', 'tslab', 'kernel.json');
  if (!fs.existsSync(kernelJson)) {
    throw new Error(`the tslab kernel is not registered (${kernelJson} is missing): run \`npm install\` (or node kernel-utils/bin/setup-kernel.mjs)`);
  }
  const jp = [JUPYTER_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  return { ...process.env, JUPYTER_PATH: jp, BOOK_ROOT: ROOT, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...extra };
}

/** The notebooks of the book, in order. */
export function listNotebooks() {
  const dir = path.join(ROOT, 'notebooks');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Execute one notebook through the real tslab kernel. Returns {ok, stderr, seconds}; on a failing
 * cell stderr names the cell, shows its source and what the kernel wrote to stderr.
 */
export function runNotebook(input, output, { mode = 'standard', timeout = 1800, env = {}, python } = {}) {
  const py = python ?? ensureJupyter('run');
  const t0 = Date.now();
  const r = spawnSync(py, [path.join(ROOT, 'kernel-utils', 'bin', 'run_notebook.py'), input, output, '--timeout', String(timeout)], {
    env: jupyterEnv({ BOOK_MODE: mode, ...env }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''), seconds: (Date.now() - t0) / 1000 };
}

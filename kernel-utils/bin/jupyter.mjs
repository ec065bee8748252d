// Finding (or installing) Jupyter for the book's commands, and the environment they run in.
// Jupyter comes from the OS: Debian/Ubuntu packages when we are root, else a clear message.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPath } from './check-site.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JUPYTER_DIR = path.join(ROOT, 'build', 'jupyter');

/**
 * The node flags the book's kernel runs with: relaxed SIMD for kernel-utils' GEMM, behind a flag
 * in Node 20's V8 and on by default in later ones (whose node may refuse the flag), so passed
 * only where this node accepts it. setup-kernel.mjs writes them into kernel.json; the bench
 * runs its workers with them.
 */
export function kernelNodeFlags() {
  return ['--experimental-wasm-relaxed-simd'].filter(
    (flag) => spawnSync(process.execPath, [flag, '-e', ''], { stdio: 'ignore' }).status === 0,
  );
}
const MODULES = {
  run: ['nbclient', 'nbformat', 'nbconvert'],
  start: ['notebook', 'jupyter_client'],
};

function pythonHas(python, modules) {
  const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
  return r.status === 0;
}

function candidates() {
  return [process.env.BOOK_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
}

/** The python the tests read .npy files back with: the first candidate that has NumPy, or null. */
export function numpyPython() {
  return candidates().find((p) => pythonHas(p, ['numpy'])) ?? null;
}

/** A python that can import what `purpose` ('run' or 'start') needs, or null. */
export function findPython(purpose = 'run') {
  const mods = MODULES[purpose];
  return candidates().find((p) => pythonHas(p, mods)) ?? null;
}

function hasFashionMnist() {
  const files = [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ];
  return [path.join(ROOT, 'datasets', 'fashion-mnist'), '/usr/share/datasets/fashion-mnist'].some(
    (d) =>
      files.every((f) => fs.existsSync(path.join(d, f)) || fs.existsSync(path.join(d, `${f}.gz`))),
  );
}

/** What the book's commands need from the operating system, how to check it and where to get it. */
export const REQUIREMENTS = {
  jupyter: {
    what: 'Jupyter nbclient + nbconvert',
    check: () => findPython('run') !== null,
    apt: ['jupyter-nbconvert', 'python3-nbclient', 'jupyter-client', 'python3-ipykernel'],
    otherwise:
      'python3 -m pip install nbclient nbconvert ipykernel (or set BOOK_PYTHON to a python that has them)',
  },
  notebook: {
    what: 'Jupyter Notebook',
    check: () => findPython('start') !== null,
    apt: ['jupyter-notebook'],
    otherwise: 'python3 -m pip install notebook',
  },
  numpy: {
    what: 'NumPy (the tests read the .npy artifacts back with it)',
    check: () => numpyPython() !== null,
    apt: ['python3-numpy'],
    otherwise: 'python3 -m pip install numpy',
  },
  scipy: {
    what: "SciPy (the metric tests run reference implementations: pytorch-fid's scipy.linalg.sqrtm)",
    check: () => pythonHas('python3', ['numpy', 'scipy']),
    apt: ['python3-scipy'],
    otherwise: 'python3 -m pip install scipy',
  },
  'fashion-mnist': {
    what: 'Fashion-MNIST',
    check: hasFashionMnist,
    apt: ['dataset-fashion-mnist'],
    otherwise: 'npm run data -- fashion-mnist',
  },
  chromium: {
    what: 'Chromium (the browser test of the HTML book drives it headless)',
    check: () => chromiumPath() !== null,
    apt: ['chromium'],
    otherwise: 'install Chromium or Chrome and set BOOK_CHROMIUM to its binary',
  },
  'cjk-fonts': {
    what: 'Noto CJK fonts (Korean text in charts and in the HTML book)',
    check: () => fs.existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
    apt: ['fonts-noto-cjk'],
    otherwise: 'install a font with Hangul (Noto Sans CJK)',
  },
  fonts: {
    what: 'DejaVu fonts (text in rendered charts)',
    check: () => fs.existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
    apt: ['fonts-dejavu-core'],
    otherwise: 'install the DejaVu fonts',
  },
};

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

/**
 * Make sure the `required` requirements are met (and try the `optional` ones). What is missing is
 * installed from Debian/Ubuntu packages when we are root; otherwise a required one stops with one
 * message naming the command to run, and an optional one only warns.
 */
export function ensureSystem(required, optional = []) {
  const missing = [...required, ...optional].filter((name) => !REQUIREMENTS[name].check());
  if (missing.length === 0) return;
  const apt = [...new Set(missing.flatMap((n) => REQUIREMENTS[n].apt))];
  if (isRoot() && hasAptGet() && process.env.BOOK_NO_APT !== '1') {
    console.error(
      `setup: installing ${missing.map((n) => REQUIREMENTS[n].what).join(', ')} from the OS packages: apt-get install ${apt.join(' ')}`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env,
    });
    const inst =
      upd.status === 0
        ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...apt], {
            stdio: ['ignore', 'ignore', 'inherit'],
            env,
          })
        : upd;
    if (inst.status !== 0) console.error(`setup: apt-get exited ${inst.status}`);
  }
  const still = missing.filter((n) => !REQUIREMENTS[n].check());
  for (const n of still.filter((x) => optional.includes(x) && !required.includes(x))) {
    console.error(
      `setup: warning: ${REQUIREMENTS[n].what} is missing (sudo apt-get install ${REQUIREMENTS[n].apt.join(' ')}, or ${REQUIREMENTS[n].otherwise})`,
    );
  }
  const fatal = still.filter((n) => required.includes(n));
  if (fatal.length) {
    const lines = fatal.map(
      (n) =>
        `  ${REQUIREMENTS[n].what}: sudo apt-get install -y ${REQUIREMENTS[n].apt.join(' ')}\n    or ${REQUIREMENTS[n].otherwise}`,
    );
    throw new Error(`missing from this machine:\n${lines.join('\n')}`);
  }
}

/** A python with Jupyter for `purpose` ('run' or 'start'), installing Jupyter first where we can. */
export function ensureJupyter(purpose = 'run') {
  ensureSystem(purpose === 'start' ? ['jupyter', 'notebook'] : ['jupyter']);
  return findPython(purpose);
}

/** The environment for Jupyter: the project's kernel registry first on JUPYTER_PATH. */
export function jupyterEnv(extra = {}) {
  const kernelJson = path.join(JUPYTER_DIR, 'kernels', 'tslab', 'kernel.json');
  if (!fs.existsSync(kernelJson)) {
    throw new Error(
      `the tslab kernel is not registered (${kernelJson} is missing): run \`npm install\` (or node kernel-utils/bin/setup-kernel.mjs)`,
    );
  }
  const jp = [JUPYTER_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  return {
    ...process.env,
    JUPYTER_PATH: jp,
    BOOK_ROOT: ROOT,
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    ...extra,
  };
}

/** The notebooks of the book (or of another folder), in order, as absolute paths. */
export function listNotebooks(dir = path.join(ROOT, 'notebooks')) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The command line of run_notebook.py for one notebook. */
function runnerArgs(input, output, { timeout, progress, rerunTagged }) {
  return [
    path.join(ROOT, 'kernel-utils', 'bin', 'run_notebook.py'),
    input,
    output,
    '--timeout',
    String(timeout),
    ...(progress ? ['--progress'] : []),
    ...(rerunTagged ? ['--rerun-tagged', rerunTagged] : []),
  ];
}

/**
 * Execute one notebook through the real tslab kernel. Returns {ok, stderr, seconds}; on a failing
 * cell stderr names the cell, shows its source and what the kernel wrote to stderr. With
 * `rerunTagged: 'training'`, each cell tagged so is run twice more right after its first run
 * (checkpoints reused), and the run fails if tf.memory().numTensors changes between the runs.
 */
export function runNotebook(
  input,
  output,
  {
    mode = 'standard',
    timeout = 1800,
    env = {},
    python,
    progress = false,
    rerunTagged = null,
  } = {},
) {
  const py = python ?? ensureJupyter('run');
  const t0 = Date.now();
  // with progress, each cell's time is printed as it finishes (stdout goes straight to the terminal)
  const r = spawnSync(py, runnerArgs(input, output, { timeout, progress, rerunTagged }), {
    env: jupyterEnv({ BOOK_MODE: mode, ...env }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', progress ? 'inherit' : 'pipe', 'pipe'],
  });
  return {
    ok: r.status === 0,
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '') + (r.error ? String(r.error) : ''),
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * runNotebook without blocking, so that several kernels run at once: resolves to
 * {ok, status, stdout, stderr, seconds}. With `onLine`, each line the runner prints (its
 * per-cell progress) is passed to it as it comes, e.g. to prefix it with the chapter's number.
 */
export function runNotebookAsync(
  input,
  output,
  { mode = 'standard', timeout = 1800, env = {}, python, rerunTagged = null, onLine = null } = {},
) {
  const py = python ?? ensureJupyter('run');
  const t0 = Date.now();
  const args = runnerArgs(input, output, { timeout, progress: Boolean(onLine), rerunTagged });
  return new Promise((resolve) => {
    const child = spawn(py, args, {
      env: jupyterEnv({ BOOK_MODE: mode, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let settled = false;
    const done = (status, error) => {
      if (settled) return;
      settled = true;
      if (onLine && partial) onLine(partial);
      resolve({
        ok: status === 0,
        status,
        stdout,
        stderr: stderr + (error ? String(error) : ''),
        seconds: (Date.now() - t0) / 1000,
      });
    };
    child.on('error', (e) => done(null, e));
    child.on('close', (code) => done(code));
  });
}

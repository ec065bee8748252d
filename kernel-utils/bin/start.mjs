// `npm start`: open Jupyter Notebook on notebooks/ with the project's tslab kernel registered.
// Extra arguments go to Jupyter: `npm start -- --no-browser --port 8890`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, ensureJupyter, jupyterEnv } from './jupyter.mjs';

try {
  const python = ensureJupyter('start');
  const extra = process.argv.slice(2);
  // Jupyter refuses to run as root without --allow-root (containers usually run as root)
  const asRoot =
    typeof process.getuid === 'function' &&
    process.getuid() === 0 &&
    !extra.includes('--allow-root');
  const args = [
    '-m',
    'notebook',
    `--notebook-dir=${path.join(ROOT, 'notebooks')}`,
    ...(asRoot ? ['--allow-root'] : []),
    ...extra,
  ];
  console.log(`start: ${python} ${args.join(' ')}`);
  const child = spawn(python, args, { stdio: 'inherit', env: jupyterEnv() });
  child.on('exit', (code) => process.exit(code ?? 0));
} catch (e) {
  console.error(`start: ${e.message}`);
  process.exit(1);
}

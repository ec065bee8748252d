// Register the locally installed tslab as a Jupyter kernel in the project's own Jupyter path
// (build/jupyter/kernels/tslab), with absolute paths to this node and this tslab. Nothing
// global is touched; the book's commands put build/jupyter first on JUPYTER_PATH.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { JUPYTER_DIR, kernelNodeFlags, ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
// the kernel is tslab, started through kernel-utils/bin/tslab-kernel.cjs (one fix to how it sends)
const kernelBin = path.join(ROOT, 'kernel-utils', 'bin', 'tslab-kernel.cjs');
try {
  require.resolve('tslab/package.json');
} catch {
  console.error(
    'setup-kernel: tslab is not installed in node_modules; run `npm install` in the project root.',
  );
  process.exit(1);
}
const dir = path.join(JUPYTER_DIR, 'kernels', 'tslab');
fs.mkdirSync(dir, { recursive: true });
const spec = {
  argv: [
    process.execPath,
    ...kernelNodeFlags(),
    kernelBin,
    'kernel',
    '--config-path',
    '{connection_file}',
  ],
  display_name: 'TypeScript (tslab, generative-notebooks)',
  language: 'typescript',
  env: { BOOK_ROOT: ROOT },
};
const file = path.join(dir, 'kernel.json');
const tmp = `${file}.tmp-${process.pid}`;
fs.writeFileSync(tmp, JSON.stringify(spec, null, 1));
fs.renameSync(tmp, file);
console.log(
  `setup-kernel: registered the tslab kernel in ${path.relative(ROOT, dir)} (node ${process.version})`,
);

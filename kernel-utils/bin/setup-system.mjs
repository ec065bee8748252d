// `node kernel-utils/bin/setup-system.mjs book|test|start`: check (and where possible install)
// what that command needs from the operating system. See REQUIREMENTS in jupyter.mjs.
import { ensureSystem } from './jupyter.mjs';

const NEEDS = {
  book: { required: ['jupyter'], optional: ['fonts', 'cjk-fonts', 'fashion-mnist'] },
  test: {
    required: ['jupyter', 'numpy', 'scipy', 'fashion-mnist', 'chromium', 'cjk-fonts'],
    optional: ['fonts'],
  },
  start: { required: ['jupyter', 'notebook'], optional: ['fonts', 'cjk-fonts', 'fashion-mnist'] },
};
const what = process.argv[2];
if (!NEEDS[what]) {
  console.error(`usage: setup-system.mjs ${Object.keys(NEEDS).join('|')}`);
  process.exit(2);
}
try {
  ensureSystem(NEEDS[what].required, NEEDS[what].optional);
} catch (e) {
  console.error(`setup: ${e.message}`);
  process.exit(1);
}

// `npm run data -- mnist|fashion-mnist`: download the official IDX files into datasets/<name>/,
// verify their pinned SHA-256, and write each atomically.
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './jupyter.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
const { downloadDataset, REMOTE_DATASETS } = require('kernel-utils');
const names = process.argv.slice(2);
if (names.length === 0) {
  console.error(`usage: npm run data -- ${Object.keys(REMOTE_DATASETS).join('|')} [...]`);
  process.exit(2);
}
let failed = false;
for (const name of names) {
  try {
    const dir = await downloadDataset(name);
    console.log(`data: ${name} is ready in ${path.relative(ROOT, dir)}`);
  } catch (e) {
    console.error(`data: ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);

// Shared by the unit tests: kernel-utils (compiled) and tfjs by name, as a notebook imports them,
// with build output redirected to a fresh temporary folder so tests never touch build/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const require = createRequire(path.join(ROOT, 'package.json'));

const created = [];
/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'gn-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}
process.on('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Write a small notebook to dir/name, in Jupyter's layout; each cell is a code cell's source or
 * [cell_type, source]. Returns its path.
 */
export function writeNotebook(dir, name, cells, metadata = {}) {
  const nb = {
    cells: cells.map((c, i) => {
      const [type, source] = typeof c === 'string' ? ['code', c] : c;
      const code = type === 'code' ? { execution_count: null, outputs: [] } : {};
      return { cell_type: type, ...code, id: `c${i}`, metadata: {}, source };
    }),
    metadata,
    nbformat: 4,
    nbformat_minor: 5,
  };
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${JSON.stringify(nb, null, 1)}\n`);
  return file;
}

process.env.BOOK_BUILD = process.env.BOOK_BUILD_TEST ?? tempDir('gn-build-');
export const ku = require('kernel-utils');
export const tf = require('@tensorflow/tfjs');

/** The backend the book would use here (once per test process). */
export async function backend() {
  return ku.initBackend();
}

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

process.env.BOOK_BUILD = process.env.BOOK_BUILD_TEST ?? tempDir('gn-build-');
export const ku = require('kernel-utils');
export const tf = require('@tensorflow/tfjs');

/** The backend the book would use here (once per test process). */
export async function backend() {
  return ku.initBackend();
}

/** Atomic file writes: write to a temporary file beside the target, then rename over it. */
import * as fs from 'fs';
import * as path from 'path';

let counter = 0;

function tmpName(target: string): string {
  return `${target}.tmp-${process.pid}-${Date.now()}-${counter++}`;
}

/** Write `data` to `file` so that readers see either the old file or the whole new one. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tmpName(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Replace the folder `dir` with one filled by `fill(tmpDir)`. The old folder stays intact until
 * the new one is complete; a failure in `fill` leaves the old one untouched.
 */
export function replaceDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = tmpName(dir);
  const old = tmpName(dir) + '-old';
  try {
    fs.mkdirSync(tmp);
    fill(tmp);
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(dir) && fs.existsSync(old)) fs.renameSync(old, dir);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/** Where the project keeps things: the root, build outputs, datasets, artifacts, checkpoints. */
import * as fs from 'fs';
import * as path from 'path';

/** The project's root folder: BOOK_ROOT, else the folder whose package.json declares workspaces. */
export function projectRoot(): string {
  const fromEnv = process.env.BOOK_ROOT;
  if (fromEnv) return path.resolve(fromEnv);
  let dir = path.resolve(__dirname, '..', '..');
  for (let i = 0; i < 6; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).workspaces) return dir;
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/** `<root>/datasets`, or BOOK_DATASETS. */
export function datasetsDir(): string {
  return process.env.BOOK_DATASETS
    ? path.resolve(process.env.BOOK_DATASETS)
    : path.join(projectRoot(), 'datasets');
}

/** `<root>/build`, or BOOK_BUILD. Artifacts and checkpoints live under it. */
export function buildDir(): string {
  return process.env.BOOK_BUILD
    ? path.resolve(process.env.BOOK_BUILD)
    : path.join(projectRoot(), 'build');
}

// The notebooks as the tools see them: read a notebook, its code cells as text, write it back
// in Jupyter's own layout (indent 1, one source line per string), through a temporary file.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './jupyter.mjs';

export function readNotebook(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${path.relative(ROOT, file)}: not a readable notebook (${e.message})`);
  }
}

export function cellText(cell) {
  return Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
}

/** Jupyter's layout of a source: one string per line, each but the last ending in "\n". */
export function sourceLines(text) {
  if (text === '') return [];
  const lines = text.split('\n');
  return lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)).filter((l) => l !== '');
}

export function serializeNotebook(nb) {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

/** Write `text` to `file` through a temporary name in the same folder, then rename. */
export function writeAtomic(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

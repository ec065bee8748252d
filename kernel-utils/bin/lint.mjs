// `npm run lint` checks, `npm run format` (lint.mjs --write) fixes what can be fixed:
//  - Prettier (printWidth 100, .prettierrc.json) over kernel-utils' sources, bin/ and tests/, and
//    over the TypeScript of every notebook code cell;
//  - no line of a code cell longer than 100 characters (Prettier cannot break a long string or
//    comment) and no code cell longer than 40 lines: cells a reader can see whole;
//  - the generated chapter modules (kernel-utils/src/chapters/) match the notebooks' `// @save`
//    cells (--write regenerates them);
//  - nothing in the repository points into the workspace folder around it (a clone lacks it);
//  - `tsc --noEmit` of kernel-utils (strict, unused locals and parameters are errors);
//  - ESLint on kernel-utils/src, only for promises nobody awaits or misused (eslint.config.mjs).
// `--only NN` limits it to the notebooks starting with NN (and the chapter modules).
// Each problem is printed as "file[, cell N], line L: what is wrong"; the exit code is 1 if any.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as prettier from 'prettier';
import { ROOT, listNotebooks } from './jupyter.mjs';
import { cellText, readNotebook, serializeNotebook, sourceLines, writeAtomic } from './cells.mjs';
import { exportChapters } from './export-chapters.mjs';

const require = createRequire(import.meta.url);
export const MAX_LINE = 100;
export const MAX_CELL_LINES = 40;
const write = process.argv.includes('--write');
// --only 07 [--only 08]: just those notebooks' cells (and the chapter modules), for working on one
const only = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--only' ? [a] : []));
// --notebooks DIR: check (or format) the notebooks of another folder, and nothing else
const nbDirArg = process.argv[process.argv.indexOf('--notebooks') + 1];
const notebooksDir = process.argv.includes('--notebooks') ? path.resolve(nbDirArg) : undefined;
const problems = [];
const rel = (f) => path.relative(ROOT, f);

function walk(dir, exts) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(p, exts);
    return exts.some((x) => e.name.endsWith(x)) ? [p] : [];
  });
}

async function options(file) {
  return (await prettier.resolveConfig(file)) ?? {};
}

/** Prettier over the package's sources, its commands and the tests. */
async function lintFiles() {
  const files = [
    ...walk(path.join(ROOT, 'kernel-utils', 'src'), ['.ts']),
    ...walk(path.join(ROOT, 'kernel-utils', 'bin'), ['.mjs', '.js']),
    ...walk(path.join(ROOT, 'tests'), ['.mjs', '.js']),
  ];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const formatted = await prettier.format(text, { ...(await options(file)), filepath: file });
    if (formatted === text) continue;
    if (write) writeAtomic(file, formatted);
    else problems.push(`${rel(file)}: not formatted (run \`npm run format\`)`);
  }
}

/** Format one cell's TypeScript; a syntax error is reported with the cell's number. */
async function formatCell(text, settings, file, n) {
  try {
    const out = await prettier.format(text, { ...settings, parser: 'typescript' });
    return out.replace(/\n+$/, '');
  } catch (e) {
    problems.push(`${rel(file)}, cell ${n}: Prettier cannot parse it: ${e.message.split('\n')[0]}`);
    return text;
  }
}

async function lintNotebooks() {
  const selected = listNotebooks(notebooksDir).filter(
    (f) => only.length === 0 || only.some((p) => path.basename(f).startsWith(p)),
  );
  // the project's Prettier settings, wherever the notebook lies (--notebooks may point outside)
  const settings = await options(path.join(ROOT, 'notebooks', 'cell.ts'));
  for (const file of selected) {
    const raw = fs.readFileSync(file, 'utf8');
    const nb = readNotebook(file);
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const n = i + 1;
      const text = cellText(cell);
      const formatted = await formatCell(text, settings, file, n);
      if (formatted !== text) {
        if (write) cell.source = sourceLines(formatted);
        else problems.push(`${rel(file)}, cell ${n}: not formatted (run \`npm run format\`)`);
      }
      const lines = formatted.split('\n');
      lines.forEach((line, k) => {
        if (line.length > MAX_LINE) {
          problems.push(
            `${rel(file)}, cell ${n}, line ${k + 1}: ${line.length} characters (at most ${MAX_LINE})`,
          );
        }
      });
      if (lines.length > MAX_CELL_LINES) {
        problems.push(
          `${rel(file)}, cell ${n}: ${lines.length} lines (at most ${MAX_CELL_LINES}: split it where its output changes)`,
        );
      }
    }
    // unchanged cells but a different layout (indent, line split) is reported too
    const out = serializeNotebook(nb);
    if (out === raw) continue;
    if (write) writeAtomic(file, out);
    else problems.push(`${rel(file)}: not in Jupyter's layout (run \`npm run format\`)`);
  }
}

async function lintChapters() {
  try {
    const stale = await exportChapters({ check: !write });
    if (!write)
      for (const f of stale) problems.push(`${f}: stale (run \`npm run export-chapters\`)`);
  } catch (e) {
    problems.push(`export-chapters: ${e.message}`);
  }
}

/** The repository must be complete in a clone: no path into the workspace around it. */
function lintSelfContained() {
  const r = spawnSync(
    'git',
    ['grep', '-n', '-I', '\\.\\./shared', '--', '.', ':!package-lock.json'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  for (const line of (r.stdout ?? '').split('\n').filter(Boolean)) {
    problems.push(
      `${line.split(':').slice(0, 2).join(', line ')}: points outside the repository (a clone does not have it)`,
    );
  }
}

/** ESLint (eslint.config.mjs): floating and misused promises in kernel-utils. */
function eslint() {
  const bin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const r = spawnSync(process.execPath, [bin, '--max-warnings', '0', 'kernel-utils/src'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) problems.push(`eslint (kernel-utils):\n${(r.stdout + r.stderr).trim()}`);
}

function typecheck() {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(
    process.execPath,
    [tsc, '--noEmit', '-p', path.join(ROOT, 'kernel-utils', 'tsconfig.json')],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    problems.push(`tsc --noEmit (kernel-utils):\n${(r.stdout + r.stderr).trim()}`);
}

await lintNotebooks();
if (!notebooksDir) await lintChapters();
if (only.length === 0 && !notebooksDir) {
  await lintFiles();
  lintSelfContained();
  typecheck();
  eslint();
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`lint: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  process.exit(1);
}
console.log(write ? 'format: done; lint: clean' : 'lint: clean');

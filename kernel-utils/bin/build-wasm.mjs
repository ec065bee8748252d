// Part of `npm run build`: assemble kernel-utils' hand-written WebAssembly (src/**/*.wat) with wabt
// and write the modules next to the compiled JavaScript (dist/**/*.wasm), validated. A module that
// imports tfjs' memory is assembled twice: as written (the single-threaded build's memory) and as
// `<name>-shared.wasm` importing a shared memory (the threaded build's). A module written with
// f32x4.relaxed_madd is assembled as written into `<name>-relaxed.wasm` (V8 accepts it only with
// --experimental-wasm-relaxed-simd) and, each madd rewritten as f32x4.add(f32x4.mul(a, b), c),
// into `<name>.wasm`. Also writes the pthread worker bootstrap of tfjs' threaded-SIMD build as a
// file (dist/backend/wasm-threads-worker.js): tfjs passes it as a Blob URL, which Node's
// worker_threads cannot load.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { writeAtomic } from './cells.mjs';

const require = createRequire(import.meta.url);
const pkg = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const wabt = await require('wabt')();

const PLAIN_MEMORY = '(import "tfjs" "memory" (memory 0))';
const SHARED_MEMORY = '(import "tfjs" "memory" (memory 0 65536 shared))';

function assemble(rel, text) {
  let mod;
  try {
    const features = { simd: true, bulk_memory: true, threads: true, relaxed_simd: true };
    mod = wabt.parseWat(rel, text, features);
    mod.validate(features);
  } catch (e) {
    console.error(`build-wasm: ${rel} does not assemble: ${e.message}`);
    process.exit(1);
  }
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return buffer;
}

function* watFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* watFiles(p);
    else if (e.name.endsWith('.wat')) yield p;
  }
}

const MADD =
  /\(f32x4\.relaxed_madd (\(local\.get \$[\w.]+\)) (\(local\.get \$[\w.]+\)) (\(local\.get \$[\w.]+\))\)/g;

/** The builds of one source: output suffix → text. */
function variants(rel, text) {
  const out = { '': text };
  if (text.includes('f32x4.relaxed_madd')) {
    const plain = text.replace(MADD, '(f32x4.add (f32x4.mul $1 $2) $3)');
    if (plain.split('\n').some((l) => /\(f32x4\.relaxed_/.test(l.replace(/;;.*/, '')))) {
      console.error(
        `build-wasm: ${rel}: a relaxed instruction is not (f32x4.relaxed_madd (local.get …) ×3)`,
      );
      process.exit(1);
    }
    Object.assign(out, { '': plain, '-relaxed': text });
  }
  if (text.includes(PLAIN_MEMORY))
    for (const [suffix, t] of Object.entries(out))
      out[`${suffix}-shared`] = t.replace(PLAIN_MEMORY, SHARED_MEMORY);
  return out;
}

for (const src of watFiles(path.join(pkg, 'src'))) {
  const rel = path.relative(path.join(pkg, 'src'), src);
  const base = path.join(pkg, 'dist', rel.replace(/\.wat$/, ''));
  fs.mkdirSync(path.dirname(base), { recursive: true });
  for (const [suffix, text] of Object.entries(variants(rel, fs.readFileSync(src, 'utf8'))))
    writeAtomic(`${base}${suffix}.wasm`, assemble(rel, text));
}

// The worker source is a string in a CommonJS module; its "\n" escapes became real newlines in
// that string, so they are escaped again (the code itself is one line).
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
writeAtomic(
  path.join(pkg, 'dist', 'backend', 'wasm-threads-worker.js'),
  wasmWorkerContents.replace(/\n/g, '\\n'),
);

// Assembles gemm.wat (or the .wat named as argv[2]) with the repo's wabt into build/:
//   gemm-relaxed.wasm         as written (f32x4.relaxed_madd; needs --experimental-wasm-relaxed-simd on Node 20)
//   gemm-plain.wasm           each (f32x4.relaxed_madd a b c) rewritten to (f32x4.add (f32x4.mul a b) c)
//   gemm-*-shared.wasm        the same, importing a *shared* memory (for the 2-thread run in bench.mjs)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const here = path.dirname(new URL(import.meta.url).pathname);
const require = createRequire(path.join(here, '../../package.json'));
const wabt = await require('wabt')();
const src = fs.readFileSync(process.argv[2] ?? path.join(here, 'gemm.wat'), 'utf8');
const outDir = path.join(here, process.env.BUILD_DIR ?? 'build');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'gemm.wat'), src);

const MADD =
  /\(f32x4\.relaxed_madd (\(local\.get \$[\w.]+\)) (\(local\.get \$[\w.]+\)) (\(local\.get \$[\w.]+\))\)/g;
const plain = src.replace(MADD, '(f32x4.add (f32x4.mul $1 $2) $3)');
if (plain.split('\n').some((l) => /\(f32x4\.relaxed_/.test(l.replace(/;;.*/, ''))))
  throw new Error('a relaxed instruction is not in the rewritable form');
const nMadd = (src.match(MADD) ?? []).length;

const SHARED_FROM = '(import "tfjs" "memory" (memory 0))';
const SHARED_TO = '(import "tfjs" "memory" (memory 0 65536 shared))';
if (!src.includes(SHARED_FROM)) throw new Error('memory import not found');

const variants = {
  'gemm-relaxed': src,
  'gemm-plain': plain,
  'gemm-relaxed-shared': src.replace(SHARED_FROM, SHARED_TO),
  'gemm-plain-shared': plain.replace(SHARED_FROM, SHARED_TO),
};
for (const [name, text] of Object.entries(variants)) {
  const mod = wabt.parseWat(`${name}.wat`, text, { simd: true, relaxed_simd: true, threads: true });
  // wabt.js 1.0.39's validator rejects shared memories even with threads: true; V8 validates
  // those two when bench.mjs compiles them (WebAssembly.Module throws on anything invalid).
  if (!name.endsWith('-shared')) mod.validate();
  const { buffer } = mod.toBinary({});
  mod.destroy();
  fs.writeFileSync(path.join(outDir, `${name}.wasm`), buffer);
  // count the relaxed_madd opcodes (0xfd 0x85 0x02 = LEB128 of 0x105) actually in the binary
  let n = 0;
  for (let i = 0; i + 2 < buffer.length; i++)
    if (buffer[i] === 0xfd && buffer[i + 1] === 0x85 && buffer[i + 2] === 0x02) n++;
  console.log(`${name}.wasm: ${buffer.length} bytes, relaxed_madd opcodes ≈ ${n}`);
}
console.log(`rewrote ${nMadd} relaxed_madd for the plain build`);

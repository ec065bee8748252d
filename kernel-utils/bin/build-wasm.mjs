// Part of `npm run build`: assemble kernel-utils' hand-written WebAssembly (src/**/*.wat) with wabt
// and write the modules next to the compiled JavaScript (dist/**/*.wasm), validated.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const wabt = await require('wabt')();

function* watFiles(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* watFiles(p);
    else if (e.name.endsWith('.wat')) yield p;
  }
}

for (const src of watFiles(path.join(pkg, 'src'))) {
  const rel = path.relative(path.join(pkg, 'src'), src);
  let mod;
  try {
    mod = wabt.parseWat(rel, fs.readFileSync(src, 'utf8'), { simd: true, bulk_memory: true });
    mod.validate();
  } catch (e) {
    console.error(`build-wasm: ${rel} does not assemble: ${e.message}`);
    process.exit(1);
  }
  const { buffer } = mod.toBinary({});
  mod.destroy();
  const out = path.join(pkg, 'dist', rel.replace(/\.wat$/, '.wasm'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, buffer);
  fs.renameSync(tmp, out);
}

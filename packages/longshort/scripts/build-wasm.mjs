// Compiles the AssemblyScript kernels in asm/ into WebAssembly modules under build/wasm/:
//   longshort-simd.wasm     128-bit SIMD, separate multiply and add (every current engine)
//   longshort-relaxed.wasm  + relaxed SIMD, fused multiply-add (browsers, Node ≥ 22; Node 20
//                           only with --experimental-wasm-relaxed-simd)
//   longshort-threads-*.wasm the same two over a shared memory, with atomics (kernel threads)
// The loader (src/kernels/wasm/) picks one with WebAssembly.validate at load time. The .wasm
// files are build outputs, never committed; the package's build (run by `npm ci`, `npm test` and
// `npm pack`) runs this. The plain SIMD build also writes the compiler's typings of the exports
// (parameter names and order), build/wasm/longshort.d.ts, which test/kernels/wasm.exports.test.ts
// compares with the TypeScript table of exports (src/kernels/wasm/exports.ts).
// Skips the compile when both outputs are newer than every source in asm/ (pass --force to redo).
import { mkdirSync, readdirSync, statSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'asm');
const out = join(root, 'build', 'wasm');
// threads builds: shared memory (imported; up to 2 GiB, reserved, not committed) and atomics for
// the per-step barrier of lstmForwardPart
const threads = ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '32768'];
const variants = [
  { file: 'longshort-simd.wasm', flags: ['--enable', 'simd', '--bindings', 'raw'] },
  { file: 'longshort-relaxed.wasm', flags: ['--enable', 'simd', '--enable', 'relaxed-simd'] },
  { file: 'longshort-threads-simd.wasm', flags: ['--enable', 'simd', ...threads] },
  { file: 'longshort-threads-relaxed.wasm', flags: ['--enable', 'simd', '--enable', 'relaxed-simd', ...threads] },
];

const newestSource = Math.max(
  ...readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => statSync(join(src, f)).mtimeMs),
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
);
const force = process.argv.includes('--force');
mkdirSync(out, { recursive: true });
// assemblyscript is a dev dependency, hoisted to the repository's node_modules by the workspace.
const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
for (const v of variants) {
  const target = join(out, v.file);
  if (!force && existsSync(target) && statSync(target).mtimeMs > newestSource) continue;
  // --bindings writes <name>.js and <name>.d.ts beside the module; only the typings are kept
  // --runtime stub: no garbage collector (kernels allocate nothing); --importMemory: TypeScript
  // owns the memory and its arena; --noAssert: no bounds asserts in the hot loops.
  const args = [asc, join(src, 'index.ts'), '-o', target, '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', ...v.flags];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`build-wasm: asc failed for ${v.file}`);
    process.exit(r.status ?? 1);
  }
  console.log(`build-wasm: wrote build/wasm/${v.file} (${statSync(target).size} bytes)`);
  if (v.flags.includes('--bindings')) {
    const base = target.replace(/\.wasm$/, '');
    renameSync(`${base}.d.ts`, join(out, 'longshort.d.ts'));
    rmSync(`${base}.js`, { force: true });
  }
}

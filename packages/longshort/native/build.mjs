#!/usr/bin/env node
// Builds the native kernel (a Node-API addon, C11 + GCC vector extensions) from source for the
// platforms the project ships prebuilt, and places each .node file in its per-platform package:
//
//   linux-x64-gnu    gcc (or $CC)                          → packages/longshort-native-linux-x64-gnu/
//   linux-arm64-gnu  aarch64-linux-gnu-gcc (or $CC_ARM64)  → packages/longshort-native-linux-arm64-gnu/
// (packages/ is found by walking up from native/, so this works from the repository root or from
// packages/longshort/native in the workspace layout.)
//
// Usage: npm run build:native [-- --target linux-x64-gnu|linux-arm64-gnu] [--test] [--debug]
//   --test  also writes the reference kernels' fixtures (native/test/make-fixtures.ts, needs tsx)
//           and builds and runs native/test/harness.c for each target (arm64 under qemu-aarch64).
// Nothing is downloaded: Node's C headers come from this machine's Node installation
// (<nodedir>/include/node, nodedir from npm's `nodedir` setting or next to the node binary), and
// only node_api.h is used (Node-API 8), so one build runs on every Node ≥ 12.22 — Node ≥ 20 here.
//
// x86-64 gets three builds of src/kernels.c in one addon (SSE2, AVX2+FMA, AVX-512), chosen at run
// time by cpuid (src/dispatch.c); arm64 one (NEON). The shared object is linked with -static-libgcc
// and binds its glibc symbols to their oldest versions (src/glibc-compat.h); the build fails if
// objdump finds a newer one, so the prebuilt files load on glibc ≥ 2.17.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..'); // the package that holds native/ and src/ (the fixtures script runs there)
const src = join(here, 'src');

/** The directory holding packages/longshort-native-*: the nearest one up from native/ (repository root). */
function packagesDir() {
  let dir = here;
  for (let i = 0; i < 5; i++) {
    dir = dirname(dir);
    if (existsSync(join(dir, 'packages', 'longshort-native-linux-x64-gnu', 'package.json'))) return join(dir, 'packages');
  }
  throw new Error(`[build:native] packages/longshort-native-linux-x64-gnu/package.json not found above ${here}.`);
}

const X64 = {
  name: 'linux-x64-gnu',
  cc: process.env.CC || 'gcc',
  objdump: 'objdump',
  glibcMax: '2.17',
  qemu: null,
  builds: [
    { isa: 'SSE2', flags: [] },
    { isa: 'AVX2', flags: ['-mavx2', '-mfma'] },
    { isa: 'AVX512', flags: ['-mavx512f', '-mavx512dq', '-mavx512bw', '-mavx512vl', '-mavx2', '-mfma'] },
  ],
  base: ['-march=x86-64', '-mtune=generic'],
};
const ARM64 = {
  name: 'linux-arm64-gnu',
  cc: process.env.CC_ARM64 || 'aarch64-linux-gnu-gcc',
  objdump: 'aarch64-linux-gnu-objdump',
  glibcMax: '2.17',
  qemu: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'],
  builds: [{ isa: 'NEON', flags: [] }],
  base: ['-march=armv8-a'],
};
const TARGETS = [X64, ARM64];

const args = process.argv.slice(2);
const only = args.includes('--target') ? args[args.indexOf('--target') + 1] : null;
const runTests = args.includes('--test');
const debug = args.includes('--debug');

function nodeHeaders() {
  const candidates = [];
  if (process.env.npm_config_nodedir) candidates.push(join(process.env.npm_config_nodedir, 'include', 'node'));
  candidates.push(resolve(dirname(process.execPath), '..', 'include', 'node'));
  for (const c of candidates) if (existsSync(join(c, 'node_api.h'))) return c;
  throw new Error(
    `[build:native] node_api.h not found; looked in ${candidates.join(', ')}. ` +
      `Hint: install Node's headers (Debian: apt-get install libnode-dev) or point npm's nodedir setting at a Node headers tree.`,
  );
}

/** sha-256 over native/src (names and contents, sorted): the addon reports it, a test compares. */
export function sourceHash(dir = src) {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) {
    h.update(f + '\0');
    h.update(readFileSync(join(dir, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

function run(cmd, argv, opts = {}) {
  console.log(`  ${cmd} ${argv.join(' ')}`);
  return execFileSync(cmd, argv, { stdio: 'inherit', ...opts });
}

function have(cmd) {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const COMMON = ['-std=gnu11', debug ? '-O0' : '-O3', '-g0', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-ffp-contract=fast', '-fno-math-errno', '-pthread'];

/** Versions as numbers for comparison: '2.17' → [2, 17]. */
const ver = (v) => v.split('.').map(Number);
const newer = (a, b) => {
  const x = ver(a), y = ver(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

function checkGlibc(target, lib) {
  if (!have(target.objdump)) {
    console.warn(`  (${target.objdump} not found: glibc symbol versions not checked)`);
    return;
  }
  const syms = execFileSync(target.objdump, ['-T', lib], { encoding: 'utf8' });
  const versions = [...new Set([...syms.matchAll(/GLIBC_([0-9.]+)/g)].map((m) => m[1]))];
  const tooNew = versions.filter((v) => newer(v, target.glibcMax));
  if (tooNew.length > 0) throw new Error(`[build:native] ${lib} needs glibc ${tooNew.join(', ')} (> ${target.glibcMax}); bind the symbols in src/glibc-compat.h.`);
  console.log(`  glibc symbol versions: ${versions.sort().join(', ')} (≤ ${target.glibcMax})`);
}

function build(target, headers, hash) {
  const obj = join(here, 'build', target.name);
  mkdirSync(obj, { recursive: true });
  const objects = [];
  const cc = (file, out, extra) => {
    run(target.cc, [...COMMON, ...target.base, ...extra, '-I', src, '-I', headers, '-include', join(src, 'glibc-compat.h'), '-c', join(src, file), '-o', out]);
    objects.push(out);
  };
  for (const b of target.builds) cc('kernels.c', join(obj, `kernels_${b.isa.toLowerCase()}.o`), [`-DLS_ISA_${b.isa}`, ...b.flags]);
  cc('dispatch.c', join(obj, 'dispatch.o'), []);
  cc('pool.c', join(obj, 'pool.o'), []);
  const core = [...objects];
  cc('addon.c', join(obj, 'addon.o'), [`-DLS_SOURCE_HASH="${hash}"`]);
  const file = `longshort-native.${target.name}.node`;
  const lib = join(obj, file);
  run(target.cc, ['-shared', '-pthread', '-static-libgcc', '-Wl,--as-needed', '-Wl,-O1', '-s', ...objects, '-o', lib, '-lm']);
  checkGlibc(target, lib);
  const pkg = join(packagesDir(), `longshort-native-${target.name}`);
  mkdirSync(pkg, { recursive: true });
  copyFileSync(lib, join(pkg, file));
  console.log(`  → ${join(pkg, file)}`);
  if (runTests) {
    const exe = join(obj, 'harness');
    run(target.cc, [...COMMON, ...target.base, '-O2', '-I', src, '-I', join(here, 'build'), '-include', join(src, 'glibc-compat.h'), join(here, 'test', 'harness.c'), ...core, '-o', exe, '-lm', '-static-libgcc']);
    if (target.qemu !== null) run(target.qemu[0], [...target.qemu.slice(1), exe]);
    else run(exe, []);
  }
}

function main() {
  const headers = nodeHeaders();
  const hash = sourceHash();
  if (runTests) {
    mkdirSync(join(here, 'build'), { recursive: true });
    run(process.execPath, ['--import', 'tsx', join(here, 'test', 'make-fixtures.ts'), join(here, 'build', 'fixtures.h')], { cwd: root });
  }
  let built = 0;
  for (const t of TARGETS) {
    if (only !== null && t.name !== only) continue;
    if (!have(t.cc)) {
      const msg = `[build:native] ${t.cc} not found: skipping ${t.name}. Hint: Debian/Ubuntu: apt-get install ${t === ARM64 ? 'gcc-aarch64-linux-gnu' : 'gcc'}.`;
      if (only !== null) throw new Error(msg);
      console.warn(msg);
      continue;
    }
    console.log(`${t.name}:`);
    build(t, headers, hash);
    built++;
  }
  if (built === 0) throw new Error('[build:native] nothing was built.');
  console.log(`source hash ${hash}`);
}

// run when invoked (`node native/build.mjs`), not when imported (the loader test imports sourceHash)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();

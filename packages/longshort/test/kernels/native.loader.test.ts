// How the native family is found and shipped: the per-platform packages (os/cpu/libc fields, the
// .node file they name, no install script), the prebuilt files themselves (ELF shared objects for
// the right machine, built from the sources in this checkout: the addon reports the sha-256 of
// native/src it was built from), the loader's choice on this machine, and the fallbacks — turned
// off, or on a platform without a package, getKernels('auto') is the WebAssembly family; once
// loaded it is the native one. Fallback cases run in child processes (the registry is global).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon, nativeLoadError, nativePlatform } from '../../src/kernels/native/node.js';
import { ADDON_ABI } from '../../src/kernels/native/index.js';
// @ts-expect-error: a plain .mjs build script without types; sourceHash(dir) is all this test uses
import { sourceHash } from '../../native/build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'); // the package with src/ and native/

/** packages/ holding longshort-native-*: the nearest up from this package (the repository root). */
function packagesDir(): string {
  let dir = root;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'packages', 'longshort-native-linux-x64-gnu', 'package.json'))) return join(dir, 'packages');
    dir = dirname(dir);
  }
  throw new Error(`packages/longshort-native-linux-x64-gnu not found above ${root}`);
}
const TARGETS = [
  { key: 'linux-x64-gnu', cpu: 'x64', elfMachine: 62 }, // EM_X86_64
  { key: 'linux-arm64-gnu', cpu: 'arm64', elfMachine: 183 }, // EM_AARCH64
];

/** Run a module body in a fresh Node with tsx; returns its stdout (throws with stderr on failure). */
function child(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

describe('native family: packages and loader', () => {
  for (const t of TARGETS) {
    test(`packages/longshort-native-${t.key}: os/cpu/libc, main, no install script, an ELF shared object for ${t.cpu}`, () => {
      const dir = join(packagesDir(), `longshort-native-${t.key}`);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      assert.equal(pkg.name, `longshort-native-${t.key}`);
      assert.deepEqual(pkg.os, ['linux']);
      assert.deepEqual(pkg.cpu, [t.cpu]);
      assert.deepEqual(pkg.libc, ['glibc']);
      assert.equal(pkg.main, `longshort-native.${t.key}.node`);
      assert.deepEqual(pkg.files, [pkg.main]);
      for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) assert.equal(pkg.scripts?.[s], undefined, `no ${s} script`);
      const bin = readFileSync(join(dir, pkg.main));
      assert.deepEqual([...bin.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'ELF magic');
      assert.equal(bin[4], 2, '64-bit');
      assert.equal(bin.readUInt16LE(16), 3, 'ET_DYN (shared object)');
      assert.equal(bin.readUInt16LE(18), t.elfMachine, 'machine');
    });
  }

  const key = nativePlatform();
  test('this machine: platform key and a loadable addon built from these sources', { skip: key === null ? `no prebuilt native kernel for ${process.platform}-${process.arch}` : false }, () => {
    assert.ok(TARGETS.some((t) => t.key === key));
    assert.ok(existsSync(join(packagesDir(), `longshort-native-${key}`, `longshort-native.${key}.node`)));
    const addon = loadNativeAddon();
    assert.ok(addon !== null, `load failed: ${nativeLoadError()}`);
    assert.equal(addon.abi, ADDON_ABI);
    assert.equal(
      addon.sourceHash,
      sourceHash(join(root, 'native', 'src')),
      'the prebuilt addon was built from other sources than native/src: run `npm run build:native` and commit the .node files',
    );
    assert.ok(addon.info().supported.includes(addon.info().isa));
  });

  test('LONGSHORT_NATIVE=0: no native family, getKernels("auto") falls back to WebAssembly', () => {
    const out = child(
      `import { loadNativeKernels } from './src/kernels/native/node.ts';
       import { loadWasmKernels } from './src/kernels/wasm/node.ts';
       import { getKernels } from './src/kernels/index.ts';
       loadWasmKernels();
       console.log(String(loadNativeKernels()), getKernels('auto').name);`,
      { LONGSHORT_NATIVE: '0' },
    );
    assert.equal(out, 'null wasm');
  });

  test('a platform without a package (darwin here): null with the reason, WebAssembly stays the choice', () => {
    const out = child(
      `Object.defineProperty(process, 'platform', { value: 'darwin' });
       const { loadNativeKernels, nativeLoadError } = await import('./src/kernels/native/node.ts');
       const { loadWasmKernels } = await import('./src/kernels/wasm/node.ts');
       const { getKernels } = await import('./src/kernels/index.ts');
       loadWasmKernels();
       console.log(String(loadNativeKernels()), getKernels('auto').name, '|', nativeLoadError());`,
    );
    assert.match(out, /^null wasm \| no prebuilt native kernel for darwin-/);
  });

  test('a file that is not an addon: null with the reason (no throw)', () => {
    const out = child(
      `const { loadNativeKernels, nativeLoadError } = await import('./src/kernels/native/node.ts');
       console.log(String(loadNativeKernels()), '|', nativeLoadError());`,
      { LONGSHORT_NATIVE: join(root, 'package.json') },
    );
    assert.match(out, new RegExp(`^null \\| .*package\\.json: ABI undefined, this library needs ${ADDON_ABI}`));
  });

  test('loaded: getKernels("auto") and "native" return it', { skip: key === null ? 'no addon on this platform' : false }, () => {
    const out = child(
      `import { loadNativeKernels } from './src/kernels/native/node.ts';
       import { loadWasmKernels } from './src/kernels/wasm/node.ts';
       import { getKernels } from './src/kernels/index.ts';
       loadWasmKernels();
       const k = loadNativeKernels();
       console.log(getKernels('auto').name, getKernels('native') === k, k.threads, k.detail);`,
    );
    assert.match(out, /^native true 1 native (avx512|avx2|sse2|neon)$/);
  });
});

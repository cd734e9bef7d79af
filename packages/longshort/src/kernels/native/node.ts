// Node edge of the native kernel: finds the prebuilt addon for this platform, loads it, and
// registers the native kernels so that getKernels('native' | 'auto') finds them. Where no addon
// fits (another OS or CPU, musl, a failed load) it returns null and the WebAssembly kernels stay
// the automatic choice — nothing here throws at import.
//
// Where the addon comes from, first match wins:
//   1. LONGSHORT_NATIVE=<path to a .node file>: that file only (LONGSHORT_NATIVE=0 turns the native kernel off);
//   2. the per-platform package `longshort-native-<platform>` (an optional dependency, installed by
//      npm only on the matching os/cpu/libc — the esbuild and @resvg/resvg-js way, no install script);
//   3. packages/longshort-native-<platform>/ in a checkout of the repository (after
//      `npm run build:native`), found by walking up from this file.
// Platforms with prebuilt binaries: linux-x64-gnu, linux-arm64-gnu (glibc ≥ 2.17).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerKernels, trackKernels } from '../index.js';
import { ADDON_ABI, createNativeKernels, type NativeAddon, type NativeKernels, type NativeKernelOptions } from './index.js';

const require = createRequire(import.meta.url);

/** The platform key of this process ('linux-x64-gnu', …), or null where no prebuilt binary exists. */
export function nativePlatform(): string | null {
  const { platform, arch } = process;
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) return null;
  // glibc or musl: the runtime glibc version is in the process report header only on glibc
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime === undefined) return null;
  return `linux-${arch}-gnu`;
}

let lastError: string | null = null;

/** Why the last loadNativeAddon() returned null (for diagnostics), or null. */
export function nativeLoadError(): string | null {
  return lastError;
}

function fromCheckout(key: string): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const cand = join(dir, 'packages', `longshort-native-${key}`, `longshort-native.${key}.node`);
    if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  return null;
}

/** The addon for this platform, or null (see nativeLoadError()). */
export function loadNativeAddon(): NativeAddon | null {
  lastError = null;
  const env = process.env.LONGSHORT_NATIVE;
  if (env === '0' || env === 'off') {
    lastError = 'turned off by LONGSHORT_NATIVE';
    return null;
  }
  const tries: string[] = [];
  if (env !== undefined && env !== '') {
    tries.push(env); // exactly this file
  } else {
    const key = nativePlatform();
    if (key === null) {
      lastError = `no prebuilt native kernel for ${process.platform}-${process.arch}${process.platform === 'linux' ? ' (musl)' : ''}`;
      return null;
    }
    tries.push(`longshort-native-${key}`);
    const local = fromCheckout(key);
    if (local !== null) tries.push(local);
  }
  const errors: string[] = [];
  for (const t of tries) {
    try {
      const addon = require(t) as NativeAddon;
      if (addon === null || typeof addon !== 'object' || addon.abi !== ADDON_ABI) {
        errors.push(`${t}: ABI ${String((addon as { abi?: unknown } | null)?.abi)}, this library needs ${ADDON_ABI} (reinstall, or npm run build:native)`);
        continue;
      }
      return addon;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'MODULE_NOT_FOUND' && !t.endsWith('.node')) errors.push(`${t}: not installed`);
      else errors.push(`${t}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  lastError = errors.join('; ');
  return null;
}

let loaded: NativeKernels | null = null;

/**
 * Load (once) and register the native kernels; null where the platform has no addon. Options
 * apply to the first call only (threads: default 1, like the WebAssembly kernels; isa: cap the
 * instruction set, e.g. 'avx2').
 */
export function loadNativeKernels(options: NativeKernelOptions = {}): NativeKernels | null {
  if (loaded !== null) return loaded;
  const addon = loadNativeAddon();
  if (addon === null) return null;
  loaded = createNativeKernels(addon, options);
  registerKernels(loaded);
  return loaded;
}

/**
 * A native family with its own threads and settings, for one model (not offered to getKernels;
 * kernelsOf still finds the owner of its arrays). close() it when done. Null where no addon loads.
 */
export function createNativeKernelsWith(options: NativeKernelOptions): NativeKernels | null {
  const addon = loadNativeAddon();
  if (addon === null) return null;
  const k = createNativeKernels(addon, options);
  trackKernels(k);
  return k;
}

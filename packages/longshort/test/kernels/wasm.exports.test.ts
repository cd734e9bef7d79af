// The typed description of the WebAssembly exports (src/kernels/wasm/exports.ts) against the module
// itself: the compiler's own typings of the module (build/wasm/longshort.d.ts, written by
// scripts/build-wasm.mjs) list every export with its parameter names in order, and they must be
// exactly the table's — so an export whose parameters were reordered, renamed, added or removed
// in asm/ fails here by name. At load time bindExports checks each export's arity; a module that
// does not match is refused with a KernelError naming the export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wasmBuildDir } from '../../src/kernels/wasm/node.js';
import { EXPORTS, bindExports, positional } from '../../src/kernels/wasm/exports.js';
import { KernelError } from '../../src/errors.js';

/** export name → parameter names, from the asc-generated typings. */
function compiledExports(): Map<string, string[]> {
  const dts = readFileSync(join(wasmBuildDir(), 'longshort.d.ts'), 'utf8');
  const out = new Map<string, string[]>();
  for (const m of dts.matchAll(/export function (\w+)\(([^)]*)\)/g)) {
    const params = m[2].trim() === '' ? [] : m[2].split(',').map((p) => p.trim().split(':')[0].trim());
    out.set(m[1], params);
  }
  return out;
}

test('the table lists every export of the module with its parameters by name, in order', () => {
  const compiled = compiledExports();
  assert.deepEqual([...compiled.keys()].sort(), Object.keys(EXPORTS).sort(), 'the same exports');
  for (const [name, params] of compiled) assert.deepEqual([...EXPORTS[name as keyof typeof EXPORTS]], params, `parameters of ${name}`);
});

test('named arguments become positional ones in the table\'s order; a module that does not match is refused', () => {
  assert.deepEqual(positional('colSumAdd', { db: 1, dz: 2, M: 3, O: 4 }), [1, 2, 3, 4]);
  assert.deepEqual(positional('gemm', { C: 1, A: 2, B: 3, M: 4, N: 5, K: 6, lda: 7, ldb: 8, ldc: 9, transA: true, transB: false, accumulate: true, ws: 10 }), [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1, 10]);
  const fake = { exports: { ...Object.fromEntries(Object.keys(EXPORTS).map((n) => [n, new Function(...EXPORTS[n as keyof typeof EXPORTS], 'return 0')])), gemm: (a: number, b: number) => a + b } } as unknown as WebAssembly.Instance;
  assert.throws(() => bindExports(fake), (e: Error) => e instanceof KernelError && /'gemm' takes 2 parameters; the table lists 13/.test(e.message));
});

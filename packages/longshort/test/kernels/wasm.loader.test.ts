// The browser-safe loader's choice of build: relaxed SIMD when the engine validates it, plain
// SIMD otherwise, null (so getKernels('auto') keeps 'ref') when neither module validates.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import './wasm-variants.js'; // sets the relaxed-SIMD flag before any module is compiled
import { readWasmBinaries } from '../../src/kernels/wasm/node.js';
import { chooseWasmBinary, createWasmKernels } from '../../src/kernels/wasm/index.js';

describe('wasm loader', () => {
  const bins = readWasmBinaries();
  const garbage = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255]); // wasm magic, then a bad section

  test('prefers the relaxed-SIMD build when this engine validates it', () => {
    assert.ok(bins.relaxed, 'build/wasm/longshort-relaxed.wasm should exist');
    const pick = chooseWasmBinary(bins)!;
    assert.equal(pick.variant, WebAssembly.validate(bins.relaxed! as Uint8Array<ArrayBuffer>) ? 'relaxed-simd' : 'simd');
  });

  test('falls back to plain SIMD when the relaxed build does not validate, or is absent', () => {
    assert.equal(chooseWasmBinary({ simd: bins.simd, relaxed: garbage })!.variant, 'simd');
    assert.equal(chooseWasmBinary({ simd: bins.simd })!.variant, 'simd');
    const k = createWasmKernels({ simd: bins.simd, relaxed: garbage })!;
    assert.equal(k.name, 'wasm');
    assert.equal(k.variant, 'simd');
  });

  test('returns null when no build validates (the caller keeps the reference kernels)', () => {
    assert.equal(chooseWasmBinary({ simd: garbage, relaxed: garbage }), null);
    assert.equal(createWasmKernels({ simd: garbage }), null);
  });
});

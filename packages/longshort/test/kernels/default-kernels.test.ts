// setDefaultKernels: what 'auto' gives every layer built afterwards (the CLI's --kernels). The
// family a layer really computes with is the owner of its parameter arrays (kernel-owned memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, Dense, LSTM, getKernels, kernelFamilies, kernelsOf, setDefaultKernels, type KernelName } from '../../src/node.js';

test('setDefaultKernels: new layers compute with the chosen family; auto is the fastest again; an unloaded family is a ConfigError', () => {
  const fastest = getKernels('auto').name;
  const loaded = kernelFamilies().map((k) => k.name);
  try {
    for (const name of loaded) {
      setDefaultKernels(name);
      assert.equal(getKernels().name, name);
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
      const dense = new Dense({ inputSize: 4, outputSize: 2 });
      for (const p of [...lstm.params(), ...dense.params()]) assert.equal(kernelsOf(p.value).name, name, `${p.name} with ${name}`);
    }
    setDefaultKernels('auto');
    assert.equal(getKernels().name, fastest);
    const missing = (['native', 'wasm', 'ref'] as KernelName[]).find((n) => !loaded.includes(n));
    if (missing !== undefined) assert.throws(() => setDefaultKernels(missing), (e: unknown) => e instanceof ConfigError && /is not loaded; available/.test((e as Error).message));
    assert.throws(() => setDefaultKernels('gpu' as KernelName), ConfigError);
  } finally {
    setDefaultKernels('auto');
  }
});

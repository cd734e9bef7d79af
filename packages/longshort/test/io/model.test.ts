// Model files: save → load → predict exactly what the saved model did; broken files are clear errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LSTM, Dense, Embedding, Dropout, LayerNorm, Activation, Sequential, Tensor, FormatError, loadModel, loadModelFile, encodeSafetensors, getKernels, loadNativeKernels, nativeLoadError } from '../../src/node.js';

function build() {
  return new Sequential({
    emb: new Embedding({ numEmbeddings: 11, embeddingDim: 4, seed: 1 }),
    lstm: new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, projSize: 3, peepholes: true, seed: 2 }),
    norm: new LayerNorm({ normalizedShape: 6 }),
    drop: new Dropout({ p: 0.1 }),
    head: new Dense({ inputSize: 6, outputSize: 5, seed: 3 }),
    act: new Activation({ fn: 'softmax' }),
  });
}

test('the Node entry loads the kernels at import (README: "In Node the kernels load at import, the native addon where the platform has one, else the WebAssembly kernels")', () => {
  assert.equal(getKernels('auto').name, loadNativeKernels() !== null ? 'native' : 'wasm', `native: ${nativeLoadError() ?? 'loaded'}`);
});

describe('model files', () => {
  const x = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 3]), [2, 6]);
  const lengths = [6, 4];

  test('save → load predicts exactly what the saved model did (file and bytes)', async () => {
    const m = build();
    const want = m.predict(x, { lengths });
    const dir = mkdtempSync(join(tmpdir(), 'longshort-'));
    const path = join(dir, 'model.safetensors');
    await m.save(path, { extra: { vocab: 'abc' } });
    const loaded = await loadModelFile(path);
    assert.deepEqual(loaded.extra, { vocab: 'abc' });
    assert.deepEqual(loaded.model.predict(x, { lengths }).data, want.data);
    assert.deepEqual((await loadModel(path)).summary([2, 6]), m.summary([2, 6]));
    const fromBytes = Sequential.fromBytes(m.toBytes());
    assert.deepEqual(fromBytes.predict(x, { lengths }).data, want.data);
    // tensor names follow PyTorch's state dict
    const header = readFileSync(path).subarray(8, 8 + 6000).toString('latin1');
    assert.match(header, /"lstm\.weight_ih_l0"/);
    assert.match(header, /"head\.weight"/);
  });

  test('a PyTorch state dict without architecture gets a hint; broken documents are FormatErrors', () => {
    const bytes = encodeSafetensors({ 'rnn.weight_ih_l0': new Tensor(new Float32Array(8), [4, 2]) });
    assert.throws(() => Sequential.fromBytes(bytes), /no 'longshort' metadata.*rnn\.weight_ih_l0.*loadPytorchSafetensors/);
    const doc = (arch: unknown) => encodeSafetensors({ a: new Tensor(new Float32Array(1), [1]) }, { longshort: JSON.stringify(arch) });
    assert.throws(() => Sequential.fromBytes(doc({ format: 'longshort', version: 1, architecture: { layers: [{ name: 'x', kind: 'GRU', config: {} }] } })), /unknown kind 'GRU'; known kinds: LSTM, Dense/);
    assert.throws(() => Sequential.fromBytes(doc({ format: 'longshort', version: 1, architecture: { layers: [{ name: 'l', kind: 'LSTM', config: { inputSize: -1, hiddenSize: 2 } }] } })), (e: Error) => e instanceof FormatError && /inputSize must be a positive integer/.test(e.message));
    assert.throws(() => Sequential.fromBytes(doc({ format: 'longshort', version: 99, architecture: { layers: [] } })), /version 99 is newer/);
    const m = build();
    const good = m.toBytes();
    // swap in a wrong-shaped tensor under a right name
    const sd = Object.fromEntries(m.params().map((p) => [p.name, new Tensor(p.value, p.shape)]));
    sd['head.weight'] = new Tensor(new Float32Array(6 * 4), [4, 6]);
    const meta = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + Number(new DataView(good.buffer).getBigUint64(0, true))))).__metadata__;
    assert.throws(() => Sequential.fromBytes(encodeSafetensors(sd, meta)), /tensor 'head\.weight' must have shape \(5, 6\); received \(4, 6\)/);
  });

  test('a truncated file is a FormatError naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'longshort-'));
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, build().toBytes().subarray(0, 300));
    await assert.rejects(loadModel(path), (e: Error) => e instanceof FormatError && e.message.includes(path));
  });
});

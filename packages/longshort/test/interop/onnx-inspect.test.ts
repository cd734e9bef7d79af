// inspectModelFile: what `longshort inspect` prints for .onnx and .safetensors files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exportOnnx, inspectModelFile } from '../../src/interop/onnx.js';
import { GraphBuilder } from '../../src/interop/onnx-graph.js';
import { DataType } from '../../src/interop/onnx-schema.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { paramCount } from '../../src/nn/layer.js';
import { FormatError } from '../../src/errors.js';

test('an exported ONNX model: architecture, initializers, parameter count, ops, inputs', () => {
  const model = new Sequential([new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, returnSequences: false }), new Dense({ inputSize: 8, outputSize: 2, activation: 'softmax' })]);
  const info = inspectModelFile(exportOnnx(model, { sequenceLengths: true }));
  assert.equal(info.kind, 'onnx');
  assert.equal(info.paramCount, paramCount(model.params()));
  assert.deepEqual(info.onnx!.ops.LSTM, 2);
  assert.deepEqual(info.onnx!.inputs, [{ name: 'input', dims: ['batch', 'time', 3] }, { name: 'sequence_lens', dims: ['batch'] }]);
  assert.deepEqual(info.onnx!.outputs, [{ name: 'output', dims: ['batch', 2] }]);
  assert.ok(info.tensors.some((t) => t.name === 'lstm.W_l1' && t.shape.join() === '2,16,8' && t.dtype === 'float32'));
  const layers = (info.architecture as { layers: { kind: string; config: Record<string, unknown> }[] }).layers;
  assert.deepEqual(layers.map((l) => l.kind), ['LSTM', 'Dense']);
  assert.equal(layers[0].config.numLayers, 2);
  assert.ok(info.summary!.endsWith(`Total params: ${paramCount(model.params())}`), info.summary);
  assert.equal(info.onnx!.opset, 17);
  assert.ok(info.metadata['longshort.config'].includes('"bidirectional":true'));
});

test('a PyTorch safetensors state dict: detected architecture, names, shapes, count', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../fixtures/pytorch/lstm_proj_linear.safetensors', import.meta.url)));
  const info = inspectModelFile(bytes);
  assert.equal(info.kind, 'safetensors');
  const arch = info.architecture as { lstm: Record<string, unknown>; prefixes: Record<string, string> };
  assert.deepEqual(arch.lstm, { input_size: 3, hidden_size: 5, num_layers: 2, bidirectional: true, proj_size: 2, batch_first: false, bias: true });
  assert.deepEqual(arch.prefixes, { lstm: 'lstm.', head: 'linear.' });
  assert.deepEqual(info.tensors.find((t) => t.name === 'lstm.weight_hr_l1_reverse'), { name: 'lstm.weight_hr_l1_reverse', shape: [2, 5], dtype: 'F32' });
  assert.equal(info.paramCount, info.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0));
  assert.equal(info.paramCount, 2 * (20 * 3 + 20 * 2 + 40 + 10) + 2 * (20 * 4 + 20 * 2 + 40 + 10) + 3 * 4 + 3);
});

test('an ONNX graph that does not import still inspects, with the reason', () => {
  const g = new GraphBuilder();
  const x = g.input('input', DataType.FLOAT, ['n', 2]);
  g.output(g.node('Conv', [x, g.float('w', [1, 2], [1, 2])], ['y'], {}, 'conv')[0], DataType.FLOAT, ['n', 1]);
  const info = inspectModelFile(g.build({ opset: 17, irVersion: 8, graphName: 'g', producer: 'p' }), 'onnx');
  assert.equal(info.architecture, null);
  assert.match(info.note!, /operator 'Conv' \(node 'conv'\)/);
  assert.equal(info.paramCount, 2);
});

test('garbage is a FormatError, a bad kind a ConfigError', () => {
  assert.throws(() => inspectModelFile(new Uint8Array([1, 2, 3]), 'onnx'), FormatError);
  assert.throws(() => inspectModelFile(new Uint8Array([1, 2, 3]), 'safetensors'), FormatError);
  assert.throws(() => inspectModelFile(new Uint8Array([1]), 'pt' as 'onnx'), /kind must be 'onnx', 'safetensors' or 'auto'; received 'pt'/);
});

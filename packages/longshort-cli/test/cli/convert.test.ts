// `longshort convert` and `longshort inspect`: a PyTorch state dict → longshort → ONNX → longshort
// keeps the weights and the predictions; inspect reports names, shapes and counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, REPO } from './helpers.js';
import { Sequential, Tensor, Rng, importOnnx } from 'longshort';

test('convert: PyTorch safetensors → longshort → ONNX → longshort keeps predictions; inspect describes each', async () => {
  const dir = tempDir();
  const torch = join(REPO, 'packages/longshort/test/fixtures/pytorch/rnn_fc.safetensors');
  const ls = join(dir, 'model.safetensors');
  const onnx = join(dir, 'model.onnx');
  const back = join(dir, 'back.safetensors');
  const a = await cli(['convert', torch, ls, '--json']);
  assert.equal(a.code, 0, a.stderr);
  const res = JSON.parse(a.stdout);
  assert.equal(res.from, 'pytorch');
  assert.equal(res.to, 'longshort');
  const b = await cli(['convert', ls, onnx]);
  assert.equal(b.code, 0, b.stderr);
  const c = await cli(['convert', onnx, back]);
  assert.equal(c.code, 0, c.stderr);

  const m1 = Sequential.fromBytes(readFileSync(ls));
  const m2 = Sequential.fromBytes(readFileSync(back));
  const m3 = importOnnx(readFileSync(onnx));
  const inputSize = (m1.layers[0].layer as unknown as { inputSize: number }).inputSize;
  const rng = new Rng(1);
  const x = new Tensor(Float32Array.from({ length: 2 * 5 * inputSize }, () => rng.uniform(-1, 1)), [2, 5, inputSize]);
  const p1 = m1.predict(x).data, p2 = m2.predict(x).data, p3 = m3.predict(x).data;
  for (let k = 0; k < p1.length; k++) {
    assert.ok(Math.abs(p1[k] - p2[k]) < 1e-6 && Math.abs(p1[k] - p3[k]) < 1e-6, `prediction ${k}: ${p1[k]} ${p2[k]} ${p3[k]}`);
  }

  const i = await cli(['inspect', onnx, '--json']);
  assert.equal(i.code, 0, i.stderr);
  const info = JSON.parse(i.stdout);
  assert.equal(info.kind, 'onnx');
  assert.equal(info.paramCount, m1.params().reduce((s, p) => s + p.value.length, 0));
  assert.ok(info.onnx.ops.LSTM >= 1);
  const j = await cli(['inspect', ls]);
  assert.equal(j.code, 0, j.stderr);
  assert.match(j.stdout, /lstm\.weight_ih_l0/);
  assert.match(j.stdout, /Total params:/);
});

test('convert: unknown extensions and missing files are one-line errors, nothing written', async () => {
  const dir = tempDir();
  const r = await cli(['convert', join(REPO, 'data/co2-concentration.csv'), join(dir, 'x.onnx')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot tell the format of .*co2-concentration\.csv.* pass --from/);
  const s = await cli(['convert', join(dir, 'missing.onnx'), join(dir, 'y.safetensors')]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /missing\.onnx/);
  assert.ok(!existsSync(join(dir, 'x.onnx')) && !existsSync(join(dir, 'y.safetensors')));
});

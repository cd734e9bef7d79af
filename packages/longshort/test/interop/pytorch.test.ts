// The PyTorch safetensors bridge on fixtures built from PyTorch's documented nn.LSTM / nn.Linear
// names and layouts (test/fixtures/pytorch). The numbers are cross-checked independently of
// longshort's LSTM code: an ONNX graph is assembled here straight from the torch tensors (our own
// gate reordering, not lstmToOnnx) and run by ONNX Runtime; the projected LSTM, which ONNX cannot
// express, is checked against a float64 reference written from PyTorch's equations below.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  detectPytorchArchitecture,
  expectedPytorchTensors,
  fromPytorchStateDict,
  loadPytorchSafetensors,
  savePytorchSafetensors,
  toPytorchStateDict,
  type PytorchArchitecture,
} from '../../src/interop/pytorch.js';
import { GraphBuilder } from '../../src/interop/onnx-graph.js';
import { exportOnnx } from '../../src/interop/onnx.js';
import { DataType } from '../../src/interop/onnx-schema.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../src/io/safetensors.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { Sequential } from '../../src/nn/sequential.js';
import { Tensor } from '../../src/tensor.js';
import { ShapeError, UnsupportedError } from '../../src/errors.js';
import { FIXTURES, torchStateDict, type TorchSpec } from '../fixtures/pytorch/torch-state-dict.js';
import { maxAbsDiff, rand, runOrt } from './onnx-helpers.js';

const dir = new URL('../fixtures/pytorch/', import.meta.url).pathname;
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(`${dir}${name}`));
const asMap = (list: NamedTensor[]): Map<string, NamedTensor> => new Map(list.map((t) => [t.name, t]));

/** torch gate block k (i, f, g, o) goes to ONNX block TORCH_TO_ONNX[k] (ONNX order i, o, f, c). */
const TORCH_TO_ONNX = [0, 2, 3, 1];

/** An ONNX model (time-major input) built directly from a torch state dict: LSTM layers + Gemm on the final state. */
function onnxFromTorch(d: Map<string, NamedTensor>, s: TorchSpec): Uint8Array {
  const g = new GraphBuilder();
  const Dn = s.bidirectional ? 2 : 1;
  const H = s.H;
  let x = g.input('input', DataType.FLOAT, ['seq', 'batch', s.I]);
  let yh = '';
  for (let l = 0; l < s.L; l++) {
    const I = l === 0 ? s.I : Dn * H;
    const W = new Float32Array(Dn * 4 * H * I);
    const R = new Float32Array(Dn * 4 * H * H);
    const B = new Float32Array(Dn * 8 * H);
    for (let dir = 0; dir < Dn; dir++) {
      const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`;
      const wih = d.get(`${s.lstmPrefix}weight_ih${sfx}`)!.data;
      const whh = d.get(`${s.lstmPrefix}weight_hh${sfx}`)!.data;
      const bih = d.get(`${s.lstmPrefix}bias_ih${sfx}`)!.data;
      const bhh = d.get(`${s.lstmPrefix}bias_hh${sfx}`)!.data;
      for (let k = 0; k < 4; k++) {
        const o = TORCH_TO_ONNX[k];
        for (let j = 0; j < H; j++) {
          for (let i = 0; i < I; i++) W[((dir * 4 + o) * H + j) * I + i] = wih[(k * H + j) * I + i];
          for (let i = 0; i < H; i++) R[((dir * 4 + o) * H + j) * H + i] = whh[(k * H + j) * H + i];
          B[dir * 8 * H + o * H + j] = bih[k * H + j];
          B[dir * 8 * H + 4 * H + o * H + j] = bhh[k * H + j];
        }
      }
    }
    const [Y, Yh] = g.node(
      'LSTM',
      [x, g.float(`W${l}`, [Dn, 4 * H, I], W), g.float(`R${l}`, [Dn, 4 * H, H], R), g.float(`B${l}`, [Dn, 8 * H], B)],
      ['Y', 'Y_h', 'Y_c'],
      { hidden_size: { i: H }, direction: { s: Dn === 2 ? 'bidirectional' : 'forward' } },
    );
    const t = g.node('Transpose', [Y], ['Yt'], { perm: { ints: [0, 2, 1, 3] } })[0];
    x = g.node('Reshape', [t, g.int64([0, 0, -1])], ['y'])[0];
    yh = Yh;
  }
  const hb = g.node('Reshape', [g.node('Transpose', [yh], ['hb'], { perm: { ints: [1, 0, 2] } })[0], g.int64([0, -1])], ['h'])[0];
  const fc = g.node('Gemm', [hb, g.float('fcw', [s.O, Dn * H], d.get(`${s.headPrefix}weight`)!.data), g.float('fcb', [s.O], d.get(`${s.headPrefix}bias`)!.data)], ['output'], { transB: { i: 1 } })[0];
  g.output(fc, DataType.FLOAT, ['batch', s.O]);
  return g.build({ opset: 17, irVersion: 8, graphName: 'torch_ref', producer: 'test' });
}

/**
 * PyTorch's projected LSTM in float64, straight from the documented equations:
 *   i,f,g,o = σ,σ,tanh,σ (W_ih x + b_ih + W_hh h + b_hh);  c = f c + i g;  h = W_hr (o ⊙ tanh c)
 * Input (T, B, I) time-major; returns the top layer's output (T, B, Dn·P).
 */
function projectedReference(d: Map<string, NamedTensor>, s: TorchSpec, x: Float32Array, T: number, B: number): Float64Array {
  const Dn = s.bidirectional ? 2 : 1;
  const H = s.H;
  const P = s.proj;
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  let input = Float64Array.from(x);
  let I = s.I;
  for (let l = 0; l < s.L; l++) {
    const out = new Float64Array(T * B * Dn * P);
    for (let dir = 0; dir < Dn; dir++) {
      const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`;
      const get = (n: string): Float32Array => d.get(`${s.lstmPrefix}${n}${sfx}`)!.data as Float32Array;
      const [wih, whh, bih, bhh, whr] = [get('weight_ih'), get('weight_hh'), get('bias_ih'), get('bias_hh'), get('weight_hr')];
      for (let b = 0; b < B; b++) {
        const h = new Float64Array(P);
        const c = new Float64Array(H);
        for (let step = 0; step < T; step++) {
          const t = dir === 0 ? step : T - 1 - step;
          const z = new Float64Array(4 * H);
          for (let r = 0; r < 4 * H; r++) {
            let acc = bih[r] + bhh[r];
            for (let i = 0; i < I; i++) acc += wih[r * I + i] * input[(t * B + b) * I + i];
            for (let i = 0; i < P; i++) acc += whh[r * P + i] * h[i];
            z[r] = acc;
          }
          const m = new Float64Array(H);
          for (let j = 0; j < H; j++) {
            const ig = sig(z[j]);
            const fg = sig(z[H + j]);
            const gg = Math.tanh(z[2 * H + j]);
            const og = sig(z[3 * H + j]);
            c[j] = fg * c[j] + ig * gg;
            m[j] = og * Math.tanh(c[j]);
          }
          for (let p = 0; p < P; p++) {
            let acc = 0;
            for (let j = 0; j < H; j++) acc += whr[p * H + j] * m[j];
            h[p] = acc;
            out[((t * B + b) * Dn + dir) * P + p] = acc;
          }
        }
      }
    }
    input = out;
    I = Dn * P;
  }
  return input;
}

describe('PyTorch fixtures', () => {
  test('the committed fixture files are what make-fixtures.ts writes', () => {
    for (const f of FIXTURES) {
      assert.deepEqual(file(`${f.stem}.safetensors`), encodeSafetensors(torchStateDict(f.spec, f.seed)), f.stem);
      assert.deepEqual(JSON.parse(readFileSync(`${dir}${f.stem}.arch.json`, 'utf8')), f.arch);
    }
  });
});

describe('loadPytorchSafetensors: nn.LSTM + nn.Linear state dicts', () => {
  test('bidirectional 2-layer LSTM + Linear on h_n: longshort = ONNX Runtime on a graph built from the torch tensors', async (t) => {
    const f = FIXTURES[0];
    const bytes = file(`${f.stem}.safetensors`);
    const dict = asMap(torchStateDict(f.spec, f.seed));
    // detected from names and shapes alone (batch_first is not in a state dict: PyTorch's default, false)
    const model = loadPytorchSafetensors(bytes);
    const arch = detectPytorchArchitecture(decodeSafetensors(bytes).tensors);
    assert.deepEqual(arch, {
      lstm: { input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true, proj_size: 0, batch_first: false, bias: true },
      head: { in_features: 8, out_features: 2, bias: true, applies_to: 'last' },
      prefixes: { lstm: 'rnn.', head: 'fc.' },
    });
    const x = rand([6, 3, 3], 1);
    const ours = model.call(x, { training: false });
    const ort = await runOrt(onnxFromTorch(dict, f.spec), { input: { data: x.data as Float32Array, dims: x.shape } });
    const d = maxAbsDiff(ours.data, ort.output.data);
    t.diagnostic(`max |ORT(torch tensors) − longshort| = ${d.toExponential(2)}`);
    assert.ok(d <= 1e-5, `${d}`);
    // the loaded model exported by exportOnnx gives the same numbers in ONNX Runtime too
    const viaExport = await runOrt(exportOnnx(model), { input: { data: x.data as Float32Array, dims: x.shape } });
    const d2 = maxAbsDiff(ours.data, viaExport.output.data);
    t.diagnostic(`max |ORT(exportOnnx(loaded)) − longshort| = ${d2.toExponential(2)}`);
    assert.ok(d2 <= 1e-5, `${d2}`);
    // with the architecture JSON (batch_first: true) the same numbers come from (B, T, I) input
    const bf = loadPytorchSafetensors(bytes, readFileSync(`${dir}${f.stem}.arch.json`, 'utf8'));
    assert.equal((bf.get('lstm') as LSTM).batchFirst, true);
    const xb = new Float32Array(x.size);
    for (let ti = 0; ti < 6; ti++) for (let b = 0; b < 3; b++) for (let i = 0; i < 3; i++) xb[(b * 6 + ti) * 3 + i] = x.data[(ti * 3 + b) * 3 + i];
    const yb = bf.call(new Tensor(xb, [3, 6, 3]), { training: false });
    assert.ok(maxAbsDiff(yb.data, ours.data) === 0);
  });

  test('proj_size: longshort = a float64 reference of the projected LSTM (ONNX has no projection)', (t) => {
    const f = FIXTURES[1];
    const model = loadPytorchSafetensors(file(`${f.stem}.safetensors`), f.arch as unknown as PytorchArchitecture);
    const dict = asMap(torchStateDict(f.spec, f.seed));
    const lstm = model.get('lstm') as LSTM;
    assert.equal(lstm.projSize, 2);
    assert.deepEqual(lstm.params().find((p) => p.name === 'weight_hh_l1_reverse')!.shape, [20, 2]);
    assert.deepEqual(lstm.params().find((p) => p.name === 'weight_ih_l1')!.shape, [20, 4]);
    assert.deepEqual(lstm.params().find((p) => p.name === 'weight_hr_l0')!.shape, [2, 5]);
    const T = 7, B = 2;
    const x = rand([T, B, 3], 3);
    const ref = projectedReference(dict, f.spec, x.data as Float32Array, T, B);
    const seq = lstm.forward(x).output;
    const d = maxAbsDiff(seq.data, ref);
    // and the per-step head: y = W_fc · h + b
    const y = model.call(x, { training: false });
    const w = dict.get('linear.weight')!.data;
    const bb = dict.get('linear.bias')!.data;
    let dh = 0;
    for (let n = 0; n < T * B; n++) {
      for (let o = 0; o < 3; o++) {
        let acc = bb[o];
        for (let i = 0; i < 4; i++) acc += w[o * 4 + i] * ref[n * 4 + i];
        dh = Math.max(dh, Math.abs(acc - y.data[n * 3 + o]));
      }
    }
    t.diagnostic(`max |float64 reference − longshort| = ${d.toExponential(2)} (LSTM), ${dh.toExponential(2)} (head)`);
    assert.ok(d <= 1e-5 && dh <= 1e-5, `${d} ${dh}`);
  });

  test('prefixes are found wherever they are (lstm./linear., module.encoder./classifier.), bias=False is zero bias', () => {
    for (const [lp, hp] of [['lstm.', 'linear.'], ['module.encoder.', 'classifier.'], ['', 'out.']] as const) {
      const spec: TorchSpec = { lstmPrefix: lp, headPrefix: hp, I: 2, H: 3, L: 1, bidirectional: false, proj: 0, bias: false, O: 1 };
      const m = fromPytorchStateDict(asMap(torchStateDict(spec, 5)));
      const lstm = m.get('lstm') as LSTM;
      assert.equal(lstm.hiddenSize, 3);
      assert.ok(lstm.params().filter((p) => p.name.startsWith('bias')).every((p) => p.value.every((v) => v === 0)));
      assert.ok(m.get('head') instanceof Dense);
    }
  });
});

describe('savePytorchSafetensors: longshort → torch names', () => {
  test('round trip: every tensor keeps its name, shape and value; the file carries the architecture', () => {
    const f = FIXTURES[1];
    const m = loadPytorchSafetensors(file(`${f.stem}.safetensors`), f.arch as unknown as PytorchArchitecture);
    const bytes = savePytorchSafetensors(m, { lstm: 'lstm.', head: 'linear.' });
    const back = decodeSafetensors(bytes);
    const orig = torchStateDict(f.spec, f.seed);
    assert.deepEqual([...back.tensors.keys()].sort(), orig.map((t) => t.name).sort());
    for (const t of orig) {
      const b = back.tensors.get(t.name)!;
      assert.deepEqual(b.shape, t.shape);
      assert.deepEqual(b.data, t.data);
    }
    assert.equal(back.metadata.format, 'pt');
    const again = loadPytorchSafetensors(bytes); // architecture from metadata
    const x = rand([4, 2, 3], 9);
    assert.ok(maxAbsDiff(again.call(x, { training: false }).data, m.call(x, { training: false }).data) === 0);
  });

  test('a longshort-trained model exports under the names the user asks for', () => {
    const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 1 })]);
    const sd = toPytorchStateDict(model, { lstm: 'rnn.', head: 'fc.' });
    assert.deepEqual(Object.keys(sd), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'fc.weight', 'fc.bias']);
  });

  test('variants nn.LSTM cannot hold are refused', () => {
    assert.throws(() => savePytorchSafetensors(new LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true })), (e: unknown) => e instanceof UnsupportedError && /nn.LSTM has no gate variants/.test(e.message));
    assert.throws(() => savePytorchSafetensors(new LSTM({ inputSize: 2, hiddenSize: 3, reverse: true })), /reverse-only/);
  });
});

describe('shape checking names what was expected', () => {
  const f = FIXTURES[0];
  const arch = f.arch as unknown as PytorchArchitecture;
  test('a tensor of the wrong shape', () => {
    const list = torchStateDict(f.spec, f.seed).map((t) => (t.name === 'rnn.weight_hh_l1' ? { ...t, shape: [16, 5], data: new Float32Array(80) } : t));
    assert.throws(
      () => fromPytorchStateDict(asMap(list), arch),
      (e: unknown) => e instanceof ShapeError && /rnn.weight_hh_l1 is \(16, 5\), expected \(16, 4\)/.test(e.message) && /Expected: rnn.weight_ih_l0 \(16, 3\), rnn.weight_hh_l0 \(16, 4\)/.test(e.message),
    );
  });
  test('missing and unexpected tensors', () => {
    const list = torchStateDict(f.spec, f.seed).filter((t) => t.name !== 'fc.bias');
    list.push({ name: 'fc2.weight', shape: [1], data: new Float32Array(1) });
    assert.throws(() => fromPytorchStateDict(asMap(list), arch), /missing fc.bias; unexpected fc2.weight/);
  });
  test('an architecture whose head does not fit the LSTM', () => {
    assert.throws(() => fromPytorchStateDict(asMap(torchStateDict(f.spec, f.seed)), { ...arch, head: { in_features: 4, out_features: 2 } }), /head.in_features must be 8 \(2 directions × hidden_size\).*received 4/);
  });
  test('two candidate heads without an architecture', () => {
    const list = torchStateDict(f.spec, f.seed);
    list.push({ name: 'fc2.weight', shape: [2, 2], data: new Float32Array(4) });
    assert.throws(() => fromPytorchStateDict(asMap(list)), /found 2 candidate Linear heads \(fc.weight, fc2.weight\)/);
  });
  test('expectedPytorchTensors lists PyTorch documented shapes with projection', () => {
    const e = expectedPytorchTensors({ lstm: { input_size: 10, hidden_size: 8, num_layers: 2, bidirectional: true, proj_size: 3 } });
    const get = (n: string): number[] => e.find((q) => q.name === n)!.shape;
    assert.deepEqual(get('lstm.weight_ih_l0'), [32, 10]);
    assert.deepEqual(get('lstm.weight_hh_l0'), [32, 3]);
    assert.deepEqual(get('lstm.weight_hr_l0_reverse'), [3, 8]);
    assert.deepEqual(get('lstm.weight_ih_l1'), [32, 6]);
  });
});

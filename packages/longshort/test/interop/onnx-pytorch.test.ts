// Real PyTorch exports: each model that test/fixtures/pytorch/make_torch_fixtures.py built and
// exported with torch.onnx.export (opsets 9–17, dynamic batch and time axes, run here at a batch
// and length other than the export's) is one test: loadOnnx's outputs — every graph output — must
// be within 1e-5 of PyTorch's (reference and WebAssembly kernels) and of ONNX Runtime's on the same
// file. Then the safetensors bridge in both directions on the same models, the state-dict-names
// route for heads the bridge does not describe, and importOnnx (a Sequential) on the chain-shaped ones.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadOnnx } from '../../src/interop/onnx-run.js';
import { importOnnx } from '../../src/interop/onnx.js';
import { loadPytorchSafetensors } from '../../src/interop/pytorch.js';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { UnsupportedError } from '../../src/errors.js';
import { LSTM } from '../../src/nn/lstm.js';
import { Dense } from '../../src/nn/dense.js';
import { LayerNorm } from '../../src/nn/layernorm.js';
import { Sequential } from '../../src/nn/sequential.js';
import type { Tensor } from '../../src/tensor.js';
import { loadWasmKernels } from '../../src/kernels/wasm/node.js';
import { FIXTURE_DIR, longshortSide, readFixtures, tensorOf, type Fixture } from '../fixtures/pytorch/longshort-side.js';
import { maxAbsDiff, runOrt } from './onnx-helpers.js';

const TOL = 1e-5;
const fixtures = readFixtures();
const exported = fixtures.filter((f) => f.onnx);
const wasm = loadWasmKernels();
const bytesOf = (f: Fixture, ext: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${f.name}${ext}`, FIXTURE_DIR)));
const feedsOf = (f: Fixture): Record<string, Tensor> => Object.fromEntries(Object.entries(f.inputs).map(([k, v]) => [k, tensorOf(v)]));

const worst = { torch: 0, ort: 0, wasm: 0 };
let passed = 0;

describe('loadOnnx on torch.onnx.export files: every output within 1e-5 of PyTorch and of ONNX Runtime', () => {
  test('the fixture set covers the issue: ≥ 20 exported models, opsets 9 to 17', () => {
    assert.ok(exported.length >= 20, `${exported.length}`);
    const opsets = new Set(exported.map((f) => f.opset));
    for (let o = 9; o <= 17; o++) assert.ok(opsets.has(o), `opset ${o}`);
  });

  for (const f of exported) {
    test(`${f.name}: ${f.doc}`, async () => {
      const bytes = bytesOf(f, '.onnx');
      const model = loadOnnx(bytes, { kernels: 'ref' });
      assert.deepEqual(model.inputs.map((i) => i.name), Object.keys(f.inputs));
      assert.deepEqual(model.outputs.map((o) => o.name), Object.keys(f.outputs));
      const feeds = feedsOf(f);
      const ours = model.run(feeds);
      const ort = await runOrt(bytes, Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.shape }])));
      let fast: Record<string, Tensor> | null = null;
      if (wasm !== null) {
        model.useKernels(wasm);
        assert.equal(model.kernelName, 'wasm');
        fast = model.run(feeds);
      }
      for (const [name, want] of Object.entries(f.outputs)) {
        const got = ours[name];
        assert.deepEqual(got.shape, want.dims, `${name} shape`);
        const dTorch = maxAbsDiff(got.data, want.data);
        const dOrt = maxAbsDiff(got.data, ort[name].data);
        assert.ok(dTorch < TOL, `${name}: |longshort − PyTorch| = ${dTorch}`);
        assert.ok(dOrt < TOL, `${name}: |longshort − ONNX Runtime| = ${dOrt}`);
        worst.torch = Math.max(worst.torch, dTorch);
        worst.ort = Math.max(worst.ort, dOrt);
        if (fast !== null) {
          const dWasm = maxAbsDiff(fast[name].data, want.data);
          assert.ok(dWasm < TOL, `${name} (wasm): |longshort − PyTorch| = ${dWasm}`);
          worst.wasm = Math.max(worst.wasm, dWasm);
        }
      }
      passed++;
    });
  }

  after(() => {
    console.log(
      `# PyTorch exports: ${passed} of ${exported.length} pass; worst |Δ| vs PyTorch ${worst.torch.toExponential(1)} (ref), ` +
        `${worst.wasm.toExponential(1)} (wasm), vs ONNX Runtime ${worst.ort.toExponential(1)}`,
    );
  });
});

describe('importOnnx (a trainable Sequential) on the exports that are a chain of layers', () => {
  // The rest are refused with UnsupportedError, each for a reason a Sequential cannot express:
  // several outputs or inputs, non-zero initial states, a head that is not a layer chain.
  const chains = [
    'seq_time_major_op9', 'seq_batch_first_op17', 'bidir_2layer_states_op9', 'bidir_states_op13', 'two_layer_states_op11', 'bidir_cat_hn_op14',
    'bidir_slice_hn_op12', 'last_step_op10', 'last_step_time_major_op9', 'dropout_eval_op9', 'layernorm_op17', 'softmax_op11', 'no_bias_seq_op14',
    'mlp_head_op12', 'two_lstms_op14', 'hn_last_op11', 'bidir_per_step_op10', 'static_shapes_op15',
  ];
  for (const f of exported) {
    const isChain = chains.includes(f.name);
    test(`${f.name}: ${isChain ? 'imports, first output within 1e-5 of PyTorch' : 'refused with UnsupportedError'}`, () => {
      const bytes = bytesOf(f, '.onnx');
      if (!isChain) {
        assert.throws(() => importOnnx(bytes), UnsupportedError);
        return;
      }
      const model = importOnnx(bytes);
      const [name, want] = Object.entries(f.outputs)[0];
      const y = model.call(tensorOf(f.inputs.input), { training: false });
      assert.deepEqual(y.shape, want.dims, name);
      assert.ok(maxAbsDiff(y.data, want.data) < TOL, `${maxAbsDiff(y.data, want.data)}`);
    });
  }
});

describe('safetensors: PyTorch state_dict → longshort (loadPytorchSafetensors), within 1e-5 of PyTorch', () => {
  for (const f of fixtures.filter((q) => q.arch !== null)) {
    test(`${f.name}`, () => {
      const model = loadPytorchSafetensors(bytesOf(f, '.safetensors'), f.arch!);
      const [name, want] = Object.entries(f.outputs)[0];
      const y = model.call(tensorOf(f.inputs.input), { training: false });
      assert.deepEqual(y.shape, want.dims, name);
      assert.ok(maxAbsDiff(y.data, want.data) < TOL, `${maxAbsDiff(y.data, want.data)}`);
    });
  }
  test('bias=False and proj_size are among them', () => {
    const names = fixtures.filter((q) => q.arch !== null).map((q) => q.name);
    for (const n of ['no_bias_seq_op14', 'proj_safetensors', 'proj_bidir_no_bias_safetensors']) assert.ok(names.includes(n), n);
  });
});

describe('safetensors: longshort → PyTorch (strict load_state_dict, checked by make_torch_fixtures.py --check)', () => {
  const check = JSON.parse(readFileSync(new URL('pytorch-check.json', FIXTURE_DIR), 'utf8')) as { strict_load_state_dict: boolean; max_abs_diff: Record<string, Record<string, number>>; worst: number };
  for (const f of fixtures.filter((q) => q.arch !== null)) {
    test(`${f.name}: the committed longshort file and outputs are what longshort writes today, and PyTorch agreed to 1e-5`, () => {
      const { bytes, output } = longshortSide(f);
      assert.deepEqual(bytes, bytesOf(f, '.ls.safetensors'), 'savePytorchSafetensors output changed: rerun make-longshort-side.ts and the --check');
      const committed = JSON.parse(readFileSync(new URL(`${f.name}.ls.json`, FIXTURE_DIR), 'utf8')) as { outputs: Record<string, { dims: number[]; data: number[] }> };
      const want = Object.values(committed.outputs)[0];
      assert.deepEqual(output.dims, want.dims);
      assert.ok(maxAbsDiff(output.data, want.data) < 1e-6);
      const diffs = check.max_abs_diff[f.name];
      assert.ok(diffs !== undefined, `${f.name} missing from pytorch-check.json`);
      for (const d of Object.values(diffs)) assert.ok(d < TOL, `${d}`);
    });
  }
  test('PyTorch loaded them with strict=True', () => assert.equal(check.strict_load_state_dict, true));
});

describe('state-dict names: heads the bridge does not describe load into a Sequential named like the module', () => {
  const cases: [string, () => Sequential][] = [
    ['layernorm_op17', () => new Sequential({
      lstm: new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true }),
      norm: new LayerNorm({ normalizedShape: 8 }),
      fc: new Dense({ inputSize: 8, outputSize: 3 }),
    })],
    ['mlp_head_op12', () => new Sequential({
      lstm: new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true, returnSequences: false }),
      fc1: new Dense({ inputSize: 8, outputSize: 6, activation: 'tanh' }),
      fc2: new Dense({ inputSize: 6, outputSize: 3, activation: 'relu' }),
    })],
    ['two_lstms_op14', () => new Sequential({
      lstm1: new LSTM({ inputSize: 4, hiddenSize: 8, batchFirst: true }),
      lstm2: new LSTM({ inputSize: 8, hiddenSize: 5, batchFirst: true }),
    })],
  ];
  for (const [name, build] of cases) {
    test(`${name}: Sequential.loadStateDict(torch state_dict), strict`, () => {
      const f = fixtures.find((q) => q.name === name)!;
      const model = build();
      model.loadStateDict(Object.fromEntries(decodeSafetensors(bytesOf(f, ".safetensors")).tensors));
      const want = Object.values(f.outputs)[0];
      const y = model.call(tensorOf(f.inputs.input), { training: false });
      assert.ok(maxAbsDiff(y.data, want.data) < TOL, `${maxAbsDiff(y.data, want.data)}`);
    });
  }
});

test('docs/pytorch.md quotes these counts', () => {
  const doc = readFileSync(new URL('../../../../docs/pytorch.md', import.meta.url), 'utf8');
  const withArch = fixtures.filter((q) => q.arch !== null).length;
  assert.ok(doc.includes(`**${exported.length} of ${exported.length}**`), 'loadOnnx count');
  assert.ok(doc.includes(`builds ${fixtures.length} models, exports ${exported.length} of them`), 'fixture count');
  assert.ok(doc.includes(`| ${withArch} of ${withArch} (incl. \`bias=False\`, \`proj_size\`)`), 'safetensors count');
  assert.match(doc, /`importOnnx` → `Sequential`, vs PyTorch \| 18 of 26/);
});

// The ONNX project's LSTM test vectors (test/golden/onnx/, see its README for provenance and
// licence), loaded through the ONNX import boundary and run by the reference kernel: every stored
// output (Y, Y_h, Y_c) must agree to 1e-5.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lstmFromOnnx, type OnnxLstmAttributes } from '../../src/interop/onnx-lstm.js';
import { Tensor } from '../../src/tensor.js';

interface Vec {
  dims: number[];
  data: number[];
}
interface Case {
  name: string;
  attributes: OnnxLstmAttributes;
  inputs: Record<string, Vec>;
  outputs: Record<string, Vec>;
}

const root = new URL('./onnx/', import.meta.url).pathname;
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

function runCase(c: Case): Record<string, Float32Array> {
  const { X, W, R, B, P, sequence_lens, initial_h, initial_c } = c.inputs;
  const layout = c.attributes.layout ?? 0;
  const lstm = lstmFromOnnx({ W, R, B, P }, c.attributes);
  const Dn = lstm.numDirections;
  const H = lstm.hiddenSize;
  const [N, T] = layout === 0 ? [X.dims[1], X.dims[0]] : [X.dims[0], X.dims[1]];
  // ONNX states are (Dn, N, H) with layout 0, (N, Dn, H) with layout 1; ours are (Dn, N, H).
  const state = (v: Vec | undefined): Tensor | undefined => {
    if (!v) return undefined;
    const out = new Float32Array(Dn * N * H);
    for (let d = 0; d < Dn; d++)
      for (let n = 0; n < N; n++)
        for (let j = 0; j < H; j++) out[(d * N + n) * H + j] = v.data[layout === 0 ? (d * N + n) * H + j : (n * Dn + d) * H + j];
    return new Tensor(out, [Dn, N, H]);
  };
  const r = lstm.forward(new Tensor(Float32Array.from(X.data), X.dims), {
    h0: state(initial_h),
    c0: state(initial_c),
    lengths: sequence_lens?.data,
  });
  // Our output is (T, N, Dn·H) for layout 0 and (N, T, Dn·H) for layout 1.
  const Y = new Float32Array(T * Dn * N * H);
  for (let t = 0; t < T; t++)
    for (let d = 0; d < Dn; d++)
      for (let n = 0; n < N; n++)
        for (let j = 0; j < H; j++) {
          const ours = layout === 0 ? ((t * N + n) * Dn + d) * H + j : ((n * T + t) * Dn + d) * H + j;
          const theirs = layout === 0 ? ((t * Dn + d) * N + n) * H + j : ((n * T + t) * Dn + d) * H + j;
          Y[theirs] = r.output.data[ours];
        }
  const fin = (s: Tensor): Float32Array => {
    const out = new Float32Array(Dn * N * H);
    for (let d = 0; d < Dn; d++)
      for (let n = 0; n < N; n++)
        for (let j = 0; j < H; j++) out[layout === 0 ? (d * N + n) * H + j : (n * Dn + d) * H + j] = s.data[(d * N + n) * H + j];
    return out;
  };
  return { Y, Y_h: fin(r.h), Y_c: fin(r.c) };
}

const all = files(root).map((f) => ({ file: f.slice(root.length), c: JSON.parse(readFileSync(f, 'utf8')) as Case }));

describe('ONNX LSTM test vectors', () => {
  test('all 16 vector files are present', () => assert.equal(all.length, 16));
  for (const { file, c } of all) {
    test(file, () => {
      const got = runCase(c);
      const roles = Object.keys(c.outputs);
      assert.ok(roles.length > 0);
      for (const role of roles) {
        const want = c.outputs[role].data;
        const have = got[role];
        assert.equal(have.length, want.length, `${role} length`);
        for (let k = 0; k < want.length; k++) {
          assert.ok(Math.abs(have[k] - want[k]) <= 1e-5, `${role}[${k}]: ours ${have[k]} onnx ${want[k]}`);
        }
      }
    });
  }
});

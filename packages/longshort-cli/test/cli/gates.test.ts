import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';
import { LSTM, Dense, Sequential, saveModel, gatesApp } from 'longshort';

const { gateInput, gateRows } = gatesApp;

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

describe('longshort gates', () => {
  const dir = tempDir();
  const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false, seed: 4 }), new Dense({ inputSize: 3, outputSize: 1, seed: 5 })]);
  const csvText = 'a,b\n0.5,-1\n1.5,0.25\n-0.75,2\n0,0\n';
  const xs = [[0.5, -1], [1.5, 0.25], [-0.75, 2], [0, 0]];

  test('heatmap rows are the gate activations and cell state computed by hand from the weights', () => {
    const g = gateRows(model, gateInput({}, csvText, 'steps.csv'));
    assert.equal(g.T, 4);
    const W = model.param('lstm.weight_ih_l0').value; // (4H, D)
    const U = model.param('lstm.weight_hh_l0').value; // (4H, H)
    const bi = model.param('lstm.bias_ih_l0').value;
    const bh = model.param('lstm.bias_hh_l0').value;
    const H = 3;
    let h = [0, 0, 0];
    let c = [0, 0, 0];
    xs.forEach((x, t) => {
      const z = Array.from({ length: 4 * H }, (_, r) => bi[r] + bh[r] + x[0] * W[r * 2] + x[1] * W[r * 2 + 1] + h.reduce((s, hv, j) => s + hv * U[r * H + j], 0));
      const i = z.slice(0, H).map(sig);
      const f = z.slice(H, 2 * H).map(sig);
      const gg = z.slice(2 * H, 3 * H).map(Math.tanh);
      const o = z.slice(3 * H).map(sig);
      c = c.map((cv, j) => f[j] * cv + i[j] * gg[j]);
      h = c.map((cv, j) => o[j] * Math.tanh(cv));
      for (let j = 0; j < H; j++) {
        for (const [name, v] of [['i', i[j]], ['f', f[j]], ['o', o[j]], ['c', c[j]]] as const) {
          const row = g.rows.find((r) => r.label === `${name}${j}`)!;
          assert.ok(Math.abs(row.values[t] - v) < 1e-5, `${name}${j} at t=${t}: ${row.values[t]} vs ${v}`);
        }
      }
    });
  });

  test('CLI writes gates.svg and gates.png; a missing input file is a one-line error', async () => {
    await saveModel(join(dir, 'm.safetensors'), model);
    const input = writeTemp(dir, 'steps.csv', csvText);
    const out = join(dir, 'g');
    const r = await cli(['gates', join(dir, 'm.safetensors'), '--input', input, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.steps, 4);
    assert.deepEqual(j.units, [0, 1, 2]);
    assert.ok(j.meanActivation.f > 0 && j.meanActivation.f < 1);
    assert.match(readFileSync(join(out, 'gates.svg'), 'utf8'), /^<svg/);
    assert.ok(existsSync(join(out, 'gates.png')));
    const bad = await cli(['gates', join(dir, 'm.safetensors'), '--input', join(dir, 'none.csv'), '--out', join(dir, 'g2')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: cannot read the input file '.*none\.csv': no such file/);
    assert.equal(existsSync(join(dir, 'g2')), false);
  });
});

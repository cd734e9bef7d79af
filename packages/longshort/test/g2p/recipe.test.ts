// The G2P recipe pieces on a toy alphabet: option checking, the warm-up + exponential schedule in
// closed form, weight averaging, early stopping, dropout between layers, end padding that lets CTC
// emit more phonemes than letters, and a run interrupted after two epochs and resumed from its
// state giving the same weights as an uninterrupted one.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { TokenVocab, encodeWord, type G2PData, type G2PExample } from '../../src/data/cmudict.js';
import {
  averageWeightsInto, buildRecipeModel, evaluateG2P, makeBatch, resolveRecipe, runG2PRecipe, snapshotWeights, WarmupExponential, type G2PRunState,
} from '../../src/g2p/index.js';

const letters = new TokenVocab(['A', 'B', 'C'], 1, 'padding id');
const phonemes = new TokenVocab(['X', 'Y', 'Z'], 1, 'CTC blank');
// A → X, B → Y Z (more phonemes than letters), C → nothing
const rule: Record<string, string[]> = { A: ['X'], B: ['Y', 'Z'], C: [] };

function toyData(repeat: number, pad: number): G2PData {
  const rng = new Rng(11);
  const make = (w: string): G2PExample => ({ word: w, input: encodeWord(w, letters, repeat, pad), targets: [phonemes.encode([...w].flatMap((c) => rule[c]))] });
  const words: string[] = [];
  for (let i = 0; i < 260; i++) words.push(Array.from({ length: 1 + rng.int(5) }, () => 'ABC'[rng.int(3)]).join(''));
  const ok = (w: string): boolean => /[AB]/.test(w);
  return {
    letters, phonemes, encoding: { repeat, pad }, missingTestWords: [], droppedTrainWords: [],
    train: words.slice(0, 200).filter(ok).map(make), validation: words.slice(200, 230).filter(ok).map(make), test: words.slice(230).filter(ok).map(make),
  };
}

describe('recipe options', () => {
  test('defaults, and each bad field named with its value', () => {
    const r = resolveRecipe({ hiddenSize: 8 });
    assert.equal(r.hiddenSize, 8);
    assert.equal(r.numLayers, 2);
    assert.deepEqual(r.schedule, { kind: 'constant' });
    assert.throws(() => resolveRecipe({ dropout: 1 }), /dropout must be in \[0, 1\); received 1/);
    assert.throws(() => resolveRecipe({ pad: -1 }), /pad must be an integer >= 0; received -1/);
    assert.throws(() => resolveRecipe({ optimizer: 'rmsprop' as 'adam' }), /optimizer must be 'adam' or 'sgd'; received "rmsprop"/);
    assert.throws(() => resolveRecipe({ schedule: { kind: 'warmup-exp', warmupSteps: 10, gamma: 1.5 } }), /schedule\.gamma must be in \(0, 1\]; received 1\.5/);
    assert.throws(() => resolveRecipe({ schedule: { kind: 'cyclic' } as never }), /schedule\.kind must be .*received "cyclic"/);
  });

  test('WarmupExponential: linear warm-up, then gamma per epoch of steps, in closed form; state restores it', () => {
    const opt = { lr: 0.01 };
    const s = new WarmupExponential(opt, 4, 0.5, 10);
    assert.equal(opt.lr, 0);
    const lrs = Array.from({ length: 14 }, () => s.step());
    assert.ok(Math.abs(lrs[1] - 0.005) < 1e-15); // step 2 of 4
    assert.ok(Math.abs(lrs[3] - 0.01) < 1e-15); // end of warm-up
    assert.ok(Math.abs(lrs[13] - 0.005) < 1e-15); // 10 steps (one epoch) later: halved
    const opt2 = { lr: 0.01 };
    const s2 = new WarmupExponential(opt2, 4, 0.5, 10);
    s2.loadState(s.state());
    assert.equal(opt2.lr, opt.lr);
    assert.equal(s2.step(), s.step());
  });

  test('averageWeightsInto writes the mean; mismatched sets are refused', () => {
    const data = toyData(2, 0);
    const a = buildRecipeModel(resolveRecipe({ numLayers: 1, hiddenSize: 3, embeddingDim: 2, seed: 1 }), data);
    const b = buildRecipeModel(resolveRecipe({ numLayers: 1, hiddenSize: 3, embeddingDim: 2, seed: 2 }), data);
    const wa = snapshotWeights(a);
    const wb = snapshotWeights(b);
    averageWeightsInto(a, [wa, wb]);
    const i = a.params().findIndex((p) => p.name === 'lstm.weight_hh_l0');
    assert.ok(Math.abs(a.params()[i].value[5] - (wa[i][5] + wb[i][5]) / 2) < 1e-7);
    assert.throws(() => averageWeightsInto(a, [wa.slice(1)]), /weight set 0 has \d+ arrays; the model has \d+ parameters/);
    assert.throws(() => averageWeightsInto(a, []), /at least one weight set; received 0/);
  });
});

describe('runG2PRecipe', () => {
  test('end padding alone (repeat 1, pad 2) learns B → Y Z, which one frame per letter cannot', async () => {
    const recipe = resolveRecipe({ numLayers: 1, hiddenSize: 8, embeddingDim: 4, repeat: 1, pad: 2, lr: 0.02, batchSize: 8, epochs: 30, seed: 2 });
    const data = toyData(1, 2);
    const m = buildRecipeModel(recipe, data);
    await runG2PRecipe(m, data, recipe);
    const r = evaluateG2P(m, data.test);
    assert.ok(r.wordErrorRate < 0.15, `held-out WER ${r.wordErrorRate}`);
  });

  test('early stopping stops after `patience` epochs without a better validation WER and restores the best epoch', async () => {
    // lr so high that training does not improve for long: early stopping must end the run
    const recipe = resolveRecipe({ numLayers: 1, hiddenSize: 4, embeddingDim: 2, lr: 0.3, batchSize: 16, epochs: 40, patience: 2, seed: 3 });
    const data = toyData(2, 0);
    const m = buildRecipeModel(recipe, data);
    const seen = new Map<number, Float32Array[]>();
    const r = await runG2PRecipe(m, data, recipe, { onEpochEnd: (l, _s, model) => void seen.set(l.epoch, snapshotWeights(model)) });
    assert.equal(r.stoppedBy, 'early-stopping');
    const h = r.state.history;
    assert.ok(h.length < 40);
    assert.equal(r.state.badEpochs, 2);
    assert.equal(h.at(-1)!.epoch - r.state.bestEpoch, 2);
    assert.equal(r.final.from, 'best');
    assert.deepEqual(snapshotWeights(m), seen.get(r.state.bestEpoch));
  });

  test('dropout between layers is on in training only; averaging the 3 best epochs is kept only if it does not lose on validation', async () => {
    const recipe = resolveRecipe({
      numLayers: 2, hiddenSize: 6, embeddingDim: 3, dropout: 0.3, lr: 0.02, batchSize: 8, epochs: 8, average: 3, seed: 4,
      schedule: { kind: 'warmup-cosine', warmupSteps: 10 },
    });
    const data = toyData(2, 0);
    const m = buildRecipeModel(recipe, data);
    const lstm = m.layers.find((l) => l.name === 'lstm')!.layer as unknown as { dropout: number };
    assert.equal(lstm.dropout, 0.3);
    // masks between the layers in training mode (two calls differ), none in eval mode
    const b = makeBatch(data.train.slice(0, 4));
    const t1 = m.call(b.x, { training: true, lengths: b.lengths }).data.slice();
    const t2 = m.call(b.x, { training: true, lengths: b.lengths }).data.slice();
    assert.notDeepEqual(t1, t2);
    assert.deepEqual(m.call(b.x, { training: false, lengths: b.lengths }).data.slice(), m.call(b.x, { training: false, lengths: b.lengths }).data.slice());
    const seen = new Map<number, Float32Array[]>();
    const r = await runG2PRecipe(m, data, recipe, { onEpochEnd: (l, _s, model) => void seen.set(l.epoch, snapshotWeights(model)) });
    assert.equal(r.state.history.length, 8);
    assert.equal(r.state.history[0].lr > 0, true);
    assert.ok(r.averageValWordErrorRate !== null);
    const three = [...r.state.history].sort((a, b) => a.valWordErrorRate! - b.valWordErrorRate! || b.epoch - a.epoch).slice(0, 3).map((h) => h.epoch);
    if (r.final.from === 'average') {
      assert.deepEqual(r.final.epochs, [...three].sort((a, b) => a - b));
      const check = buildRecipeModel(recipe, data);
      averageWeightsInto(check, three.map((e) => seen.get(e)!));
      assert.deepEqual(snapshotWeights(m), snapshotWeights(check));
      assert.ok(r.final.valWordErrorRate! <= r.state.bestValWordErrorRate);
    } else {
      assert.equal(r.final.from, 'best');
      assert.ok(r.averageValWordErrorRate! > r.state.bestValWordErrorRate);
    }
    // the same eval input gives the same output twice (no dropout at inference)
    assert.deepEqual(evaluateG2P(m, data.test), evaluateG2P(m, data.test));
  });

  test('interrupted after 2 epochs and resumed from the state: the same weights and history as 4 epochs straight (dropout, schedule, SGD)', async () => {
    const recipe = resolveRecipe({
      numLayers: 2, hiddenSize: 5, embeddingDim: 3, dropout: 0.2, optimizer: 'sgd', lr: 0.05, batchSize: 8, epochs: 4, seed: 6,
      schedule: { kind: 'warmup-exp', warmupSteps: 8, gamma: 0.7 },
    });
    const data = toyData(2, 1);
    const straight = buildRecipeModel(recipe, data);
    const full = await runG2PRecipe(straight, data, recipe);

    const first = buildRecipeModel(recipe, data);
    let saved: { state: G2PRunState; weights: Float32Array[] } | null = null;
    await runG2PRecipe(first, data, recipe, {
      onEpochEnd: (l, s, model) => {
        if (l.epoch === 2) {
          saved = { state: structuredClone(s), weights: snapshotWeights(model) };
          return 'stop';
        }
      },
    });
    assert.ok(saved !== null);
    const { state, weights } = saved as { state: G2PRunState; weights: Float32Array[] };
    const again = buildRecipeModel(recipe, data);
    averageWeightsInto(again, [weights]);
    const rest = await runG2PRecipe(again, data, recipe, { resume: state });
    assert.deepEqual(snapshotWeights(again), snapshotWeights(straight));
    assert.deepEqual(rest.state.history.map((h) => h.loss), full.state.history.map((h) => h.loss));
    await assert.rejects(runG2PRecipe(again, data, { ...recipe, hiddenSize: 6 }, { resume: state }), /made with another recipe; expected .*Hint: resume with the same options/);
  });
});

// The log-mel front end against an independent float64 PyTorch implementation of the same
// pipeline (scripts/speech/reference_features.py → test/fixtures/speech/features-reference.json,
// computed on the committed held-out recording data/speech/heldout-1.wav), plus the pieces on
// hand-checkable inputs: the filterbank's shape, a pure tone landing in the right band, deltas of
// a ramp, normalisation, stacking, streaming (fromFrame) and the option checks.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, NonFiniteError } from '../../src/errors.js';
import { readWav } from '../../src/speech/wav.js';
import { DEFAULT_LOGMEL, LogMel, deltas, melFilterbank, normalizeUtterance, speechInput, stackFrames } from '../../src/speech/features.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/speech/features-reference.json', import.meta.url), 'utf8')) as {
  samples: number; frames: number; inputFrames: number; filterbankColumnSums: number[]; logmel: number[][]; input: number[][];
};
const wav = readWav(new Uint8Array(readFileSync(new URL('../../../../data/speech/heldout-1.wav', import.meta.url))));

describe('log-mel features against PyTorch float64', () => {
  const lm = new LogMel();
  const feats = lm.compute(wav.samples);
  const T = lm.frameCount(wav.samples.length);

  test('frame count: 1 + floor((N − 400) / 160)', () => {
    assert.equal(wav.samples.length, ref.samples);
    assert.equal(T, ref.frames);
    assert.equal(lm.frameCount(399), 0);
    assert.equal(lm.frameCount(400), 1);
    assert.equal(lm.frameCount(560), 2);
  });

  test('filterbank: the same triangles (column sums to 1e-9)', () => {
    const fb = melFilterbank(DEFAULT_LOGMEL);
    for (let m = 0; m < 40; m++) {
      let s = 0;
      for (let k = 0; k < 257; k++) s += fb[k * 40 + m];
      assert.ok(Math.abs(s - ref.filterbankColumnSums[m]) < 1e-9, `band ${m}: ${s} vs ${ref.filterbankColumnSums[m]}`);
    }
  });

  test('log-mel energies of the first frames agree to 1e-5 (measured 2.4e-7: float32 output of a float64 pipeline)', () => {
    let worst = 0;
    ref.logmel.forEach((row, t) => row.forEach((v, m) => (worst = Math.max(worst, Math.abs(feats[t * 40 + m] - v)))));
    assert.ok(worst < 1e-5, `worst |Δ| = ${worst}`);
  });

  test('network input (Δ, ΔΔ, per-utterance normalisation, stack 2) agrees to 1e-5 (measured 4.9e-7)', () => {
    const inp = speechInput(feats, T, 40, 2);
    assert.equal(inp.frames, ref.inputFrames);
    assert.equal(inp.dim, 240);
    let worst = 0;
    ref.input.forEach((row, t) => row.forEach((v, d) => (worst = Math.max(worst, Math.abs(inp.data[t * 240 + d] - v)))));
    assert.ok(worst < 1e-5, `worst |Δ| = ${worst}`);
  });

  test('streaming: compute(samples, fromFrame) gives the same frames as the whole', () => {
    const tail = lm.compute(wav.samples, 37);
    assert.equal(tail.length, (T - 37) * 40);
    assert.deepEqual(tail, feats.subarray(37 * 40));
    assert.equal(lm.compute(wav.samples, T + 5).length, 0);
  });
});

describe('front-end pieces', () => {
  test('a 1 kHz tone puts its energy in the band around 1 kHz', () => {
    const x = Float32Array.from({ length: 16000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000));
    const lm = new LogMel({ preemphasis: 0 });
    const f = lm.compute(x);
    const row = Array.from(f.subarray(40 * 50, 40 * 51));
    const best = row.indexOf(Math.max(...row));
    // band centres are equally spaced in HTK mels from 20 Hz to 8 kHz: 1 kHz lies between bands 11 and 12
    const mel = (h: number) => 2595 * Math.log10(1 + h / 700);
    const centre = (m: number) => 700 * (10 ** ((mel(20) + ((mel(8000) - mel(20)) * (m + 1)) / 41) / 2595) - 1);
    assert.ok(Math.abs(centre(best) - 1000) < 80, `loudest band ${best} centred at ${centre(best).toFixed(0)} Hz`);
  });

  test('deltas of a ramp are its slope (edges repeated)', () => {
    const T = 10;
    const c = Float32Array.from({ length: T }, (_, t) => 3 * t);
    const d = deltas(c, T, 1);
    for (let t = 2; t < T - 2; t++) assert.ok(Math.abs(d[t] - 3) < 1e-6);
    // t = 0: (1·(3−0) + 2·(6−0)) / 10 = 1.5
    assert.ok(Math.abs(d[0] - 1.5) < 1e-6);
  });

  test('normalisation: zero mean, unit variance per dimension; a constant column becomes 0', () => {
    const x = Float32Array.from([1, 5, 2, 5, 3, 5, 4, 5]); // (4, 2)
    normalizeUtterance(x, 4, 2);
    const col = (d: number) => [0, 1, 2, 3].map((t) => x[t * 2 + d]);
    const mean = col(0).reduce((a, b) => a + b) / 4;
    const v = col(0).reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    assert.ok(Math.abs(mean) < 1e-6 && Math.abs(v - 1) < 1e-5);
    assert.deepEqual(col(1), [0, 0, 0, 0]);
  });

  test('stacking: (5, 2) → (3, 4), last frame repeated', () => {
    const x = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(Array.from(stackFrames(x, 5, 2, 2)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 9]);
  });

  test('bad options and samples get the library errors', () => {
    assert.throws(() => new LogMel({ nFft: 300 }), (e: Error) => e instanceof ConfigError && /power of two/.test(e.message));
    assert.throws(() => new LogMel({ fMax: 9000 }), /fMax <= sampleRate\/2 = 8000/);
    assert.throws(() => new LogMel().compute(Float32Array.from({ length: 800 }, (_, n) => (n === 500 ? NaN : 0))), (e: Error) => e instanceof NonFiniteError && /sample 500 is NaN/.test(e.message));
    assert.throws(() => speechInput(new Float32Array(7), 2, 4), /T·M = 2·4 = 8 values; received 7/);
  });
});

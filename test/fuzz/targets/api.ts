// Fuzz target for the public API, called as a careless user (or a typo) would: constructors with
// option values of the wrong type or range, tensors with impossible shapes, models whose layer sizes
// do not chain, predict/fit/evaluate with bad lengths and options, state dicts that do not fit,
// generator states, the safetensors and CSV functions with bad arguments. Every call must succeed or
// throw one of the library's error classes.
//
// Sizes are drawn from small valid values and from invalid ones (0, -1, 1.5, 2^31, 2^53, strings,
// NaN); a valid but enormous request (a 10^9-parameter layer) is the caller's to make, so it is not
// drawn. Epoch counts stay small for the same reason.

import {
  LSTM, Dense, Embedding, LayerNorm, Dropout, Activation, Sequential, Tensor, tensor, zeros, Rng,
  encodeSafetensors, decodeSafetensors, parseCsv, numericColumn, applyMissing, regularizeTimeSeries,
} from '../../../packages/longshort/dist/index.js';
import { createOptimizer } from '../../../packages/longshort/dist/train/optimizer.js';
import type { Rng as RngType } from '../../../packages/longshort/dist/util/rng.js';
import { pick } from '../mutate.js';
import type { FuzzTarget } from '../target.js';

const ANY: unknown[] = [undefined, null, 0, -1, 1, 2, 3, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 31 - 1, 2 ** 53, '3', '', 'yes', true, false, {}, [], [1], [-1, 0], 'float16', 'float64', 'float32', () => 1, Symbol('s'), 10n];
const SMALL = [1, 2, 3, 4];

/** A copy of `base` with 1–3 fields set to values of any type (or a valid small size). */
function perturb(rng: RngType, base: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = { ...base };
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) o[pick(rng, fields)] = rng.int(3) === 0 ? pick(rng, SMALL) : pick(rng, ANY);
  return o;
}

function input(rng: RngType, F: number): Tensor {
  const B = pick(rng, [1, 2, 3]);
  const T = pick(rng, [1, 2, 4]);
  return new Tensor(Float32Array.from({ length: B * T * F }, (_, k) => Math.sin(k)), [B, T, F]);
}

type Call = { label: string; run: () => unknown };

const CALLS: ((rng: RngType) => Call)[] = [
  (rng) => {
    const o = perturb(rng, { inputSize: 2, hiddenSize: 3 }, ['inputSize', 'hiddenSize', 'numLayers', 'bidirectional', 'reverse', 'batchFirst', 'dropout', 'projSize', 'returnSequences', 'variant', 'peepholes', 'clip', 'init', 'forgetBias', 'seed', 'dtype', 'checkFinite', 'kernels', 'activations', 'coupledInputForget', 'noInputGate']);
    const x = input(rng, typeof o.inputSize === 'number' && Number.isInteger(o.inputSize) && o.inputSize <= 4 && o.inputSize >= 1 ? o.inputSize : 2);
    const lengths = pick(rng, [undefined, null, [1, 1, 1].slice(0, x.shape[0]), [0], [2 ** 31], 'x', {}, [1.5]]);
    return { label: `LSTM ${describe(o)}`, run: () => new LSTM(o as never).forward(x, { lengths: lengths as never }) };
  },
  (rng) => {
    const o = perturb(rng, { inputSize: 2, outputSize: 3 }, ['inputSize', 'outputSize', 'activation', 'bias', 'init', 'dtype', 'seed', 'rng']);
    const x = input(rng, 2);
    return { label: `Dense ${describe(o)}`, run: () => new Dense(o as never).call(x, { training: false }) };
  },
  (rng) => {
    const o = perturb(rng, { numEmbeddings: 5, embeddingDim: 2 }, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'dtype', 'seed']);
    const ids = tensor(pick(rng, [[0, 1, 4], [5], [-1], [1.5], [NaN]]), undefined);
    return { label: `Embedding ${describe(o)}`, run: () => new Embedding(o as never).call(ids, { training: false }) };
  },
  (rng) => {
    const o = perturb(rng, { normalizedShape: 2 }, ['normalizedShape', 'eps', 'elementwiseAffine', 'dtype']);
    return { label: `LayerNorm ${describe(o)}`, run: () => new LayerNorm(o as never).call(input(rng, 2), { training: false }) };
  },
  (rng) => {
    const o = perturb(rng, { p: 0.5 }, ['p', 'dtype']);
    const a = perturb(rng, { fn: 'relu' }, ['fn', 'dtype']);
    return { label: `Dropout ${describe(o)} Activation ${describe(a)}`, run: () => [new Dropout(o as never).call(input(rng, 2), { training: true, rng: new Rng(1) }), new Activation(a as never).call(input(rng, 2), { training: false })] };
  },
  (rng) => {
    const shape = pick(rng, [[-1, 0], [2, 3], [2, -3], [1.5], ['2', 3], [2 ** 53, 0], [NaN], null, 'x', [0, 2 ** 60], []]);
    const data = pick(rng, [new Float32Array(6), new Float64Array(0), [1, 2, 3], null, new Int32Array(6), 'abc']);
    const dtype = pick(rng, ['float32', 'float64', 'float16', undefined, 3]);
    const values = pick(rng, [[1, 2, 3, 4, 5, 6], [[1, 2], [3]], [[1, 2], [3, 4]], ['a'], 5, null, [[[]]]]);
    return {
      label: `Tensor shape ${JSON.stringify(shape)} dtype ${String(dtype)}`,
      run: () => [
        attempt(() => new Tensor(data as never, shape as never)),
        attempt(() => zeros(shape as never, dtype as never)),
        attempt(() => tensor(values as never, shape as never, dtype as never)),
      ],
    };
  },
  (rng) => {
    // layers whose sizes may not chain
    const a = pick(rng, SMALL);
    const b = pick(rng, SMALL);
    const makeLayers = pick(rng, [
      () => [new LSTM({ inputSize: 2, hiddenSize: a, returnSequences }), new Dense({ inputSize: b, outputSize: 2 })],
      () => [new LSTM({ inputSize: 2, hiddenSize: a, returnSequences: false }), new LSTM({ inputSize: b, hiddenSize: 2 })],
      () => [new Dense({ inputSize: 2, outputSize: a }), new LayerNorm({ normalizedShape: b }), new Dropout({ p: 0.1 })],
      () => [new LSTM({ inputSize: 2, hiddenSize: a, bidirectional: true, projSize: 1 }), new Dense({ inputSize: b, outputSize: 1 })],
      () => [new Dense({ inputSize: 2, outputSize: 2 }), new Embedding({ numEmbeddings: 3, embeddingDim: 2 })],
      () => pick(rng, [[], [null], [{}], null, 'x', [['bad name', new Dense({ inputSize: 2, outputSize: 2 })]], { '1a': new Dense({ inputSize: 2, outputSize: 2 }) }]),
    ]);
    const returnSequences = rng.int(2) === 0;
    const options = pick(rng, [undefined, { seed: 3 }, { seed: 'x' }, null]);
    const x = input(rng, 2);
    return { label: `Sequential ${a},${b}`, run: () => new Sequential(makeLayers() as never, options as never).predict(x) };
  },
  (rng) => {
    const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 2 })]);
    const x = input(rng, 2);
    const B = x.shape[0];
    const T = x.shape[1];
    const lengths = pick(rng, [undefined, null, Array(B).fill(T), Array(B).fill(0), Array(B).fill(T + 1), Array(B + 1).fill(1), Array(B).fill(1.5), 'x', 5, { length: B }, new Int32Array(B).fill(1)]);
    const batchSize = pick(rng, [undefined, 1, 0, -1, 1.5, NaN, 2 ** 31, '2']);
    const y = new Tensor(new Float32Array(B), [B]);
    return {
      label: `predict/evaluate lengths ${JSON.stringify(lengths)} batchSize ${String(batchSize)}`,
      run: () => [attempt(() => m.predict(x, { lengths: lengths as never, batchSize: batchSize as never })), attempt(() => m.evaluate(x, y, { loss: 'crossEntropy', lengths: lengths as never, batchSize: batchSize as never }))],
    };
  },
  (rng) => {
    const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 2 })]);
    const x = input(rng, 2);
    const B = x.shape[0];
    const y = pick(rng, [new Tensor(new Float32Array(B), [B]), new Tensor(new Float32Array(B + 1), [B + 1]), new Tensor(Float32Array.from({ length: B }, () => 7), [B]), new Tensor(new Float32Array(B * 2), [B, 2])]);
    const o = perturb(rng, { loss: 'crossEntropy', epochs: 1, batchSize: 2 }, ['loss', 'epochs', 'batchSize', 'shuffle', 'lengths', 'validationSplit', 'clipNorm', 'clipValue', 'seed', 'onNonFinite', 'optimizer', 'resume', 'scheduleEvery', 'earlyStopping', 'validationData', 'lossOptions', 'callbacks', 'schedule', 'executor']);
    if (typeof o.epochs === 'number' && o.epochs > 3) o.epochs = 3; // a long run is valid, just slow
    if (o.loss === undefined || typeof o.loss === 'number') o.loss = pick(rng, ['mse', 'crossEntropy', 'mae', 'huber', 'nope', 'binaryCrossEntropy']);
    return { label: `fit ${describe(o)}`, run: () => m.fit(x, y, o as never) };
  },
  (rng) => {
    const m = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false }), new Dense({ inputSize: 3, outputSize: 2 })]);
    const sd = m.stateDict() as Record<string, unknown>;
    const name = pick(rng, Object.keys(sd));
    const t = sd[name] as Tensor;
    sd[name] = pick(rng, [null, 'x', { shape: t.shape, data: new Float32Array(t.size + 1) }, { shape: [...t.shape, 1], data: t.data }, { shape: t.shape, data: new Float32Array(t.size).fill(NaN) }, { shape: t.shape }, undefined]);
    if (rng.int(3) === 0) sd.extra = t;
    return { label: `loadStateDict ${name}`, run: () => m.loadStateDict(sd as never) };
  },
  (rng) => {
    const state = pick(rng, [null, {}, { s: [0, 0, 0, 0], spare: null }, { s: [1, 2, 3], spare: null }, { s: [-1, 2, 3, 4], spare: null }, { s: ['1', 2, 3, 4], spare: null }, { s: [1, 2, 3, 4], spare: 'x' }, { s: [1, 2, 3, 2 ** 32], spare: NaN }, { s: [1, 2, 3, 4], spare: 0.5 }]);
    const seed = pick(rng, [0, 1, -1, 1.5, NaN, 'x', 2 ** 60, null]);
    return { label: `Rng ${JSON.stringify(state)} seed ${String(seed)}`, run: () => [attempt(() => new Rng(1).setState(state as never)), attempt(() => new Rng(seed as never).next())] };
  },
  (rng) => {
    const m = new Sequential([new Dense({ inputSize: 2, outputSize: 2 })]);
    const spec = perturb(rng, { name: 'adam', lr: 0.01 }, ['name', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'momentum', 'nesterov', 'amsgrad']);
    return { label: `createOptimizer ${describe(spec)}`, run: () => createOptimizer(m.params(), spec as never).step() };
  },
  (rng) => {
    const tensors = pick(rng, [{ a: { shape: [2], data: new Float32Array(2) } }, { a: { shape: [-1], data: new Float32Array(0) } }, { a: { shape: [3], data: new Float32Array(2) } }, [{ name: 5, shape: [1], data: new Float32Array(1) }], { __metadata__: { shape: [1], data: new Float32Array(1) } }, null, 'x', { a: { shape: [1], data: [1] } }]);
    const meta = pick(rng, [undefined, { k: 'v' }, { k: 1 }, 'x', { '\ud800': 'v' }]);
    const bytes = pick(rng, [new Uint8Array(0), new Uint8Array(16), 'x', null, [1, 2, 3]]);
    return {
      label: 'safetensors functions',
      run: () => [attempt(() => encodeSafetensors(tensors as never, meta as never, pick(rng, [undefined, { dtype: 'F16' }, { dtype: 'F64' }]) as never)), attempt(() => decodeSafetensors(bytes as never, pick(rng, [undefined, { maxHeaderBytes: -1 }, { integers: 'x' }]) as never))],
    };
  },
  (rng) => {
    const text = pick(rng, ['a,b\n1,2\n', '', '\n\n', 'a\n"x', 'a,a\n1,2', 'a;b\n1;2']);
    const opts = pick(rng, [undefined, { delimiter: '' }, { delimiter: 'ab' }, { header: 'maybe' }, { header: false }, null]);
    const col = pick(rng, ['a', 'b', 'z', '']);
    const missing = pick(rng, ['error', 'drop', 'ffill', 'interpolate', 'bogus', undefined]);
    return { label: `parseCsv ${JSON.stringify(text)} ${JSON.stringify(opts)}`, run: () => numericColumn(parseCsv(text, opts as never), col, { missing: missing as never }) };
  },
  (rng) => {
    const times = pick(rng, [Float64Array.from([0, 86400000, 3 * 86400000]), Float64Array.from([0, 86400000 * 1e7]), Float64Array.from([0, -1]), new Float64Array(0), Float64Array.from([NaN, 1])]);
    const cols = pick(rng, [[Float64Array.from([1, NaN, 3])], [new Float64Array(2)], [], [Float64Array.from([NaN, NaN, NaN])]]);
    const step = pick(rng, ['day', 'month', 'year', undefined]);
    return {
      label: `regularize/applyMissing ${String(step)}`,
      run: () => [attempt(() => regularizeTimeSeries(times, cols, step as never, pick(rng, [undefined, { maxInserted: -1 }, { maxInserted: 5 }]) as never)), attempt(() => applyMissing(['a'], cols, pick(rng, ['ffill', 'interpolate', 'drop', 'error', 'x']) as never))],
    };
  },
];

/** Calls that bundle several attempts report each through this (a library error is fine, anything else rethrown). */
function attempt(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (e !== null && typeof e === 'object' && typeof (e as Error).name === 'string' && /^(ShapeError|ConfigError|NonFiniteError|FormatError|DivergenceError|UnsupportedError|FileError)$/.test((e as Error).name)) return e;
    throw e;
  }
}

function describe(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'symbol' || typeof v === 'function' || typeof v === 'bigint' ? typeof v : JSON.stringify(v)}`)
    .join(' ')
    .slice(0, 200);
}

export const apiTarget: FuzzTarget = {
  name: 'api',
  about: 'the public API with arguments of the wrong type, range or shape (constructors, tensors, Sequential, predict, fit, state dicts, Rng, optimizers, safetensors, CSV)',
  weight: 1,
  async setup() {},
  make(rng: RngType) {
    const call = pick(rng, CALLS)(rng);
    return { bytes: 0, label: call.label, run: call.run };
  },
};

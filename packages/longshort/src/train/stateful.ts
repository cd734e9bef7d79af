// Truncated backpropagation through time for long streams (Keras `stateful=True`, PyTorch's
// "carry h and c, detach them"): the stream is cut into consecutive chunks; h and c at the end of
// one chunk are the initial state of the next, but gradients stop at chunk boundaries.
//
// The model is a Sequential whose first layer is an LSTM with returnSequences (the default),
// followed by per-step layers (Dense, Dropout, LayerNorm, Activation). x (B, T, F) holds B
// parallel streams; y holds per-step targets (B, T, …) — class ids for crossEntropy. Each chunk
// is one training step (./step.ts), the forward pass starting from the carried state.

import { Tensor, allocArr } from '../tensor.js';
import { ConfigError, DivergenceError, ShapeError } from '../errors.js';
import { LSTM, type LstmState } from '../nn/lstm.js';
import type { Model } from '../nn/layer.js';
import { createOptimizer, type Optimizer, type OptimizerSpec } from './optimizer.js';
import { resolveLoss, type LossFn, type LossName } from './losses.js';
import { computeGradients, trainStep } from './step.js';

/** Options of fitStateful(); bad values throw ConfigError. */
export interface StatefulFitOptions {
  /** A loss name or function, as in FitOptions; targets are per step. */
  loss: LossName | LossFn;
  /** An optimizer or a spec. Default Adam, lr 1e-3. */
  optimizer?: Optimizer | OptimizerSpec;
  /** Steps per chunk (the truncation length k of TBPTT). */
  chunkLength: number;
  /** Passes over the stream. Default 1. */
  epochs?: number;
  /** Clip the global gradient norm to this value before each step. */
  clipNorm?: number;
  /** Reset h and c to zero at the start of every epoch (default true). */
  resetEachEpoch?: boolean;
  /** After every epoch, with its 1-based number and mean loss. */
  onEpochEnd?(log: { epoch: number; loss: number }): void;
}

/**
 * Truncated backpropagation through time over long streams (Keras `stateful=True`): x (B, T, F)
 * holds B parallel streams, y per-step targets (B, T, …). The streams are cut into chunks of
 * chunkLength steps; each chunk is one training step that starts from the h and c the previous
 * chunk ended with, and gradients stop at chunk boundaries. The model's first layer must be a
 * unidirectional LSTM with returnSequences, followed by per-step layers (ConfigError otherwise).
 * Throws ShapeError when x and y disagree, DivergenceError on a non-finite loss or gradient.
 * Resolves to the mean loss of every epoch.
 */
export async function fitStateful(model: Model, x: Tensor, y: Tensor, options: StatefulFitOptions): Promise<{ epochs: { epoch: number; loss: number }[] }> {
  const first = model.layers[0].layer;
  if (!(first instanceof LSTM) || !first.returnSequences) {
    throw new ConfigError('[fitStateful] the first layer must be an LSTM with returnSequences: true; received ' + `${first.kind}.`);
  }
  if (first.bidirectional || first.reverse) throw new ConfigError('[fitStateful] a bidirectional or reverse LSTM cannot carry state forward through a stream.');
  if (x.rank !== 3 || y.shape[0] !== x.shape[0] || y.shape[1] !== x.shape[1]) {
    throw new ShapeError(`[fitStateful] x must be (B, T, F) and y (B, T, …) with the same B and T; received x (${x.shape.join(', ')}) and y (${y.shape.join(', ')}).`);
  }
  const k = options.chunkLength;
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`[fitStateful] chunkLength must be a positive integer; received ${k}.`);
  const lstm = first;
  const rest = model.layers.slice(1).map((l) => l.layer);
  const params = model.params();
  const optimizer = typeof (options.optimizer as Optimizer | undefined)?.step === 'function'
    ? (options.optimizer as Optimizer)
    : createOptimizer(params, (options.optimizer as OptimizerSpec | undefined) ?? { name: 'adam', lr: 1e-3 });
  const loss = resolveLoss(options.loss);
  const [B, T] = x.shape;
  const F = x.shape[2];
  const yRow = y.size / (B * T); // per-step target size
  const L = lstm.numLayers;
  const log: { epoch: number; loss: number }[] = [];
  let state = lstm.initialState(B);
  for (let epoch = 0; epoch < (options.epochs ?? 1); epoch++) {
    if (epoch === 0 || options.resetEachEpoch !== false) state = lstm.initialState(B);
    let sum = 0;
    let count = 0;
    for (let s = 0; s < T; s += k) {
      const len = Math.min(k, T - s);
      const xc = chunk(x, B, T, F, s, len);
      const yc = chunk(y, B, T, yRow, s, len, y.shape.slice(2));
      let next: LstmState = state;
      const step = await trainStep(
        params,
        optimizer,
        () =>
          computeGradients(
            model,
            () => {
              const r = lstm.forward(xc, { h0: state.h, c0: state.c, training: true, rng: model.rng });
              next = { h: r.h.reshape([L, B, lstm.outSize]), c: r.c.reshape([L, B, lstm.hiddenSize]) };
              let out = r.output;
              for (const layer of rest) out = layer.call(out, { training: true, rng: model.rng });
              return out;
            },
            (pred) => loss.fn(pred, yc, { computeGrad: true }),
            {
              backward: (grad) => {
                let d = grad;
                for (let q = rest.length - 1; q >= 0; q--) d = rest[q].callBackward(d);
                lstm.backward(d); // no gradient into h0/c0: the carried state is detached
              },
            },
          ),
        { clipNorm: options.clipNorm },
      );
      if (!step.ok) {
        throw new DivergenceError(`[fitStateful] ${step.problem} at epoch ${epoch + 1}, chunk starting at step ${s}. Hint: lower the learning rate or set clipNorm.`);
      }
      state = next;
      sum += step.result.loss * step.result.divisor;
      count += step.result.divisor;
    }
    const e = { epoch: epoch + 1, loss: sum / count };
    log.push(e);
    options.onEpochEnd?.(e);
  }
  return { epochs: log };
}

/** Steps [s, s + len) of a (B, T, row) tensor as (B, len, …rowShape). */
function chunk(t: Tensor, B: number, T: number, row: number, s: number, len: number, rowShape: readonly number[] = [row]): Tensor {
  const out = allocArr(B * len * row, t.dtype);
  for (let b = 0; b < B; b++) out.set(t.data.subarray((b * T + s) * row, (b * T + s + len) * row), b * len * row);
  return new Tensor(out, [B, len, ...rowShape]);
}

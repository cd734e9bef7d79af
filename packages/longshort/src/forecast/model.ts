// The global forecasting network and its training loop: one LSTM shared by every series of a
// panel (DeepAR, neuralforecast's LSTM), reading the windows of src/forecast/windows.ts.
//
//   x (B, T, F) ──LSTM (layers, hidden)──▶ (B, T, hidden) ──last H steps──▶ (B, H, hidden) ──Dense per step──▶ (B, H, P)
//   the optional series embedding (S, E) fills the last E input columns of every step of a
//   window with its series' row; its gradient is the sum over steps of dLoss/dx in those columns.
//   P = number of quantile levels (quantile head: pinball loss), or 2 (Gaussian: μ, ρ; negative
//   binomial: a, b; trained by negative log-likelihood, src/losses/distribution.ts).
// Only the last H of the T = L + H outputs are scored (and computed), so the network reads the
// history, then walks through the H future steps seeing their known inputs (calendar, future-known
// covariates, the lag-m value) and emits one distribution per step: a direct multi-horizon
// forecast with no feeding back of its own outputs, as neuralforecast does. Sample paths are drawn
// per step from these marginals (independent across steps given the history).
//
// The layers live in one Sequential ('lstm', 'head', and 'series_embedding' when used) so the model
// file is an ordinary longshort model file; the wiring above is this file's, so call
// ForecastNet.forward rather than the Sequential itself.
//
// Training (trainNet): Adam, gradient-norm clipping, shuffled windows per epoch drawn from a
// WindowIndex (or a fixed random sample of windowsPerEpoch of them), an optional validation window
// per series (its last H training points) with early stopping, a divergence guard, and a training
// state in the format of src/train/fit.ts so checkpoints resume exactly.
// Left out: autoregressive (fed-back) sampling, teacher forcing, learning-rate schedules.

import { Tensor, allocArr, type DType } from '../tensor.js';
import { ConfigError, DivergenceError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { LSTM } from '../nn/lstm.js';
import { Dense } from '../nn/dense.js';
import { Embedding } from '../nn/embedding.js';
import { Sequential } from '../nn/sequential.js';
import type { Layer, Param } from '../nn/layer.js';
import { Adam, AdamW } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import type { BatchLog, EpochLog, FitControl, TrainingState } from '../train/fit.js';
import { pinballLoss } from '../losses/quantile.js';
import { gaussianNllLoss, negativeBinomialNllLoss } from '../losses/distribution.js';
import { normalQuantile, softplusInverse } from '../math/special.js';
import type { LossResult } from '../losses/common.js';
import { WindowBuilder, WindowIndex, type HeadKind, type WindowBatch } from './windows.js';

/** The architecture of a ForecastNet (stored in its model file). */
export interface NetConfig {
  /** Input features per step (WindowBuilder.F, embedding columns included). */
  inputSize: number;
  /** Series in the panel (rows of the series embedding). */
  numSeries: number;
  /** LSTM hidden size. */
  hidden: number;
  /** Stacked LSTM layers. */
  layers: number;
  /** Dropout between LSTM layers (used only with more than one layer). */
  dropout: number;
  /** Width of the learned series embedding (0 = none). */
  embeddingDim: number;
  /** The output head. */
  head: HeadKind;
  /** Levels of the quantile head (ascending). */
  quantiles: number[];
  /** Seed of the initial weights and the dropout generator. */
  seed: number;
  /** Parameter dtype; default float32 (float64 for gradient checks). */
  dtype?: DType;
}

/**
 * The global forecasting network: one LSTM shared by every series of a panel, a Dense head per
 * step, and an optional learned series embedding. forward() reads a batch of windows (B, T, F) and
 * returns the head's output for the last H steps, (B, H, P) with P the quantile levels or 2
 * distribution parameters. Call forward() and backward() rather than the container, which only
 * holds the layers ('lstm', 'head', 'series_embedding') for files and parameters.
 */
export class ForecastNet {
  /** The shared LSTM (returnSequences). */
  readonly lstm: LSTM;
  /** Dense layer from hidden to the head's outputs, applied per step. */
  readonly head: Dense;
  /** The series embedding (numSeries, embeddingDim), or null. */
  readonly embedding: Embedding | null;
  /** The layers as one Sequential, for files and parameter lists. */
  readonly container: Sequential;
  /** P: outputs per step (quantile levels, or 2). */
  readonly outputs: number;
  private ids: Tensor | null = null;
  private lastShape: [number, number, number] | null = null;
  private lastH = 0;

  /** A new, initialised network for `config`, or one over the layers of a loaded `container` (from a model file). */
  constructor(
    readonly config: NetConfig,
    container?: Sequential,
  ) {
    const c = config;
    this.outputs = c.head === 'quantile' ? c.quantiles.length : 2;
    if (container !== undefined) {
      this.container = container;
      this.lstm = container.get('lstm') as LSTM;
      this.head = container.get('head') as Dense;
      this.embedding = c.embeddingDim > 0 ? (container.get('series_embedding') as Embedding) : null;
      return;
    }
    const rng = new Rng(c.seed);
    const dtype = c.dtype ?? 'float32';
    this.lstm = new LSTM({ inputSize: c.inputSize, hiddenSize: c.hidden, numLayers: c.layers, dropout: c.layers > 1 ? c.dropout : 0, returnSequences: true, seed: c.seed, dtype });
    this.head = new Dense({ inputSize: c.hidden, outputSize: this.outputs, rng, dtype });
    // Start the head where a sensible forecast is: quantiles spread like a unit normal around the
    // last value, σ = 1, or a negative binomial with mean ν (the series' level) and α = 0.1.
    const bias = this.head.bias!.value;
    if (c.head === 'quantile') c.quantiles.forEach((q, j) => (bias[j] = normalQuantile(q)));
    else if (c.head === 'gaussian') bias[1] = softplusInverse(1);
    else {
      bias[0] = softplusInverse(1);
      bias[1] = softplusInverse(0.1);
    }
    const layers: [string, Layer][] = [
      ['lstm', this.lstm],
      ['head', this.head],
    ];
    if (c.embeddingDim > 0) {
      this.embedding = new Embedding({ numEmbeddings: c.numSeries, embeddingDim: c.embeddingDim, rng, dtype });
      const w = this.embedding.weight.value;
      for (let k = 0; k < w.length; k++) w[k] *= 0.1; // small start: the id refines, it does not dominate
      layers.push(['series_embedding', this.embedding]);
    } else this.embedding = null;
    this.container = new Sequential(layers, { seed: c.seed, chain: false });
  }

  /** Every parameter, named as in the container ('lstm.weight_ih_l0', …). */
  params(): Param[] {
    return this.container.params();
  }

  /** The layers under names with a suffix ('lstm_2', …), for an ensemble's file. */
  namedLayers(suffix = ''): [string, Layer][] {
    const out: [string, Layer][] = [
      [`lstm${suffix}`, this.lstm],
      [`head${suffix}`, this.head],
    ];
    if (this.embedding !== null) out.push([`series_embedding${suffix}`, this.embedding]);
    return out;
  }

  /** Forward over the first B windows of a batch (fills their embedding columns): (B, H, P) for the last H steps. */
  forward(batch: WindowBatch, B: number, T: number, F: number, H: number, training: boolean, rng?: Rng): Tensor {
    const dtype = this.config.dtype ?? 'float32';
    const xs = batch.x.subarray(0, B * T * F);
    const x = new Tensor(dtype === 'float32' ? xs : Float64Array.from(xs), [B, T, F]);
    if (this.embedding !== null) {
      const E = this.config.embeddingDim;
      this.ids = new Tensor(Float32Array.from(batch.series.subarray(0, B)), [B]);
      const emb = this.embedding.call(this.ids).data; // (B, E)
      const F0 = F - E;
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) x.data.set(emb.subarray(b * E, (b + 1) * E), (b * T + t) * F + F0);
    }
    this.lastShape = [B, T, F];
    this.lastH = H;
    const ctx = { training, rng: rng ?? this.container.rng };
    // Only the last H steps reach the head: (B, T, hidden) → (B, H, hidden).
    const h = this.lstm.call(x, ctx);
    const D = h.shape[2];
    const last = allocArr(B * H * D, dtype);
    for (let b = 0; b < B; b++) last.set(h.data.subarray((b * T + T - H) * D, (b + 1) * T * D), b * H * D);
    return this.head.call(new Tensor(last, [B, H, D]), ctx);
  }

  /** Backward of the last forward: accumulates parameter gradients. */
  backward(dPred: Tensor): void {
    const [B, T, F] = this.lastShape!;
    const H = this.lastH;
    const dLast = this.head.callBackward(dPred); // (B, H, hidden)
    const D = dLast.shape[2];
    const dh = allocArr(B * T * D, dPred.dtype); // zero at the history steps, whose outputs are not scored
    for (let b = 0; b < B; b++) dh.set(dLast.data.subarray(b * H * D, (b + 1) * H * D), (b * T + T - H) * D);
    const dx = this.lstm.callBackward(new Tensor(dh, [B, T, D]));
    if (this.embedding !== null) {
      const E = this.config.embeddingDim;
      const F0 = F - E;
      const d = allocArr(B * E, dPred.dtype); // (B, E) = Σ_t dx[b, t, F0:]
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) d[b * E + e] += dx.data[(b * T + t) * F + F0 + e];
      this.embedding.callBackward(new Tensor(d, [B, E]));
    }
  }
}

/** Member j's layer-name suffix in an ensemble's file: '' for the first, '_j' after. */
export function memberSuffix(j: number): string {
  return j === 0 ? '' : `_${j}`;
}

/** Several members' layers in one Sequential (member 0 as 'lstm', 'head', …; member j as 'lstm_j', …): one model file. */
export function ensembleContainer(members: readonly ForecastNet[]): Sequential {
  return new Sequential(members.flatMap((m, j) => m.namedLayers(memberSuffix(j))), { seed: members[0]?.config.seed ?? 0, chain: false });
}

/** The members stored in an ensemble's Sequential (see ensembleContainer); configs give each member's seed. */
export function membersFromContainer(container: Sequential, configs: readonly NetConfig[]): ForecastNet[] {
  return configs.map((cfg, j) => {
    const sfx = memberSuffix(j);
    const layers: [string, Layer][] = [
      ['lstm', container.get(`lstm${sfx}`)],
      ['head', container.get(`head${sfx}`)],
    ];
    if (cfg.embeddingDim > 0) layers.push(['series_embedding', container.get(`series_embedding${sfx}`)]);
    return new ForecastNet(cfg, new Sequential(layers, { seed: cfg.seed, chain: false }));
  });
}

/** The head's loss on the first B windows of a batch. */
export function headLoss(net: ForecastNet, pred: Tensor, batch: WindowBatch, B: number, H: number, computeGrad: boolean): LossResult {
  const target = new Tensor(batch.target.subarray(0, B * H), [B, H]);
  const mask = batch.mask.subarray(0, B * H);
  switch (net.config.head) {
    case 'quantile':
      return pinballLoss(pred, target, { quantiles: net.config.quantiles, mask, computeGrad });
    case 'gaussian':
      return gaussianNllLoss(pred, target, { mask, computeGrad });
    case 'negbin':
      return negativeBinomialNllLoss(pred, target, { mask, computeGrad, scale: batch.nbScale.subarray(0, B * H) });
  }
}

/** Options of trainNet(); bad values throw ConfigError. */
export interface TrainOptions {
  /** Passes over the training windows. */
  epochs: number;
  /** Windows per batch. */
  batchSize: number;
  /** Adam's learning rate, > 0. */
  lr: number;
  /** Decoupled weight decay (AdamW) when > 0; default 0 (Adam). */
  weightDecay?: number;
  /** Gradient-norm clipping; default 1. */
  clipNorm?: number;
  /** Seed of the window shuffling and augmentation. */
  seed: number;
  /** Windows per epoch: all (default, shuffled) or a random sample of this many (for very many series). */
  windowsPerEpoch?: number | null;
  /**
   * 'flip': each training window is mirrored around its last value with probability ½ (inputs
   * derived from y and the targets negated), so the model cannot learn a drift that merely
   * dominated the training years; momentum is kept (a rise that continues mirrors into a fall
   * that continues). Use it on deseasonalised data (a mirrored season would fight the calendar).
   */
  augment?: 'none' | 'flip';
  /** Hold out each series' last H training points as a validation window; early stopping with `patience`. */
  validation?: boolean;
  /** Stop after this many epochs without a better validation loss (with `validation`). */
  patience?: number;
  /** Progress callbacks, as fit()'s. */
  callbacks?: {
    /** After every batch. */
    onBatchEnd?(log: BatchLog, ctl: FitControl): void | Promise<void>;
    /** After every epoch, validation included. */
    onEpochEnd?(log: EpochLog, ctl: FitControl): void | Promise<void>;
  };
  /** Resume from a checkpoint's training state (the net must hold the checkpoint's weights). */
  resume?: TrainingState | null;
}

/** What trainNet() resolves to. */
export interface TrainResult {
  /** One log per epoch. */
  epochs: EpochLog[];
  /** Training windows available per epoch. */
  windows: number;
  /** Series with a validation window. */
  validationWindows: number;
  /** Epoch (1-based) with the best validation loss, whose weights the net holds; null without validation. */
  bestEpoch: number | null;
  /** A callback asked the run to stop (FitControl.stop()). */
  stopped: boolean;
  /** The final training state, for checkpoints. */
  state: TrainingState;
}

/**
 * Trains `net` on the windows of `builder` (see the file header): Adam (AdamW with weightDecay),
 * gradient-norm clipping, shuffled windows, optional validation with early stopping. Throws
 * ConfigError for bad options or when no training window fits, DivergenceError on a non-finite
 * loss or gradient (the net keeps the weights from before that batch).
 */
export async function trainNet(net: ForecastNet, builder: WindowBuilder, o: TrainOptions): Promise<TrainResult> {
  const { T, F } = builder;
  const H = builder.spec.horizon;
  const S = builder.panel.series.length;
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new ConfigError(`[forecast] epochs must be an integer ≥ 0; received ${o.epochs}.`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new ConfigError(`[forecast] batch size must be an integer ≥ 1; received ${o.batchSize}.`);
  if (!(o.lr > 0)) throw new ConfigError(`[forecast] learning rate must be > 0; received ${o.lr}.`);
  // With validation, series whose training part leaves room keep their last H points out.
  const valSeries: number[] = [];
  let endOf: ((i: number) => number) | undefined;
  if (o.validation) {
    const cut = new Int32Array(S);
    for (let i = 0; i < S; i++) {
      const [a, z] = builder.originRange(i, builder.scaling.end[i] - H);
      cut[i] = builder.scaling.end[i];
      if (z >= a) {
        cut[i] -= H;
        valSeries.push(i);
      }
    }
    endOf = (i) => cut[i];
  }
  const index = new WindowIndex(builder, endOf);
  if (index.count === 0) {
    throw new ConfigError(`[forecast] no training window fits: every window needs the ${H} horizon steps after at least one observed point inside the training part. Hint: use a shorter --horizon, or fewer backtest folds.`);
  }
  const params = net.params();
  const opt = (o.weightDecay ?? 0) > 0 ? new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay }) : new Adam(params, { lr: o.lr });
  const shuffle = new Rng(o.seed + 1);
  const clip = o.clipNorm ?? 1;
  const perEpoch = o.windowsPerEpoch ?? null;
  const flip = o.augment === 'flip';
  if (flip && builder.spec.head === 'negbin') throw new ConfigError('[forecast] --augment flip mirrors windows around their last value, which counts cannot be; use it with the quantile or Gaussian head.');
  const N = perEpoch === null ? index.count : Math.min(perEpoch, index.count);
  const batch = builder.allocate(o.batchSize);
  const state: TrainingState = {
    epoch: 0,
    optimizer: null,
    scheduler: null,
    shuffleRng: shuffle.getState(),
    modelRng: net.container.rng.getState(),
    history: [],
    bestMetric: null,
    bestEpoch: null,
    badEpochs: 0,
  };
  if (o.resume) {
    Object.assign(state, { ...o.resume, history: [...o.resume.history] });
    shuffle.setState(o.resume.shuffleRng);
    net.container.rng.setState(o.resume.modelRng);
    opt.loadState(o.resume.optimizer as Parameters<Adam['loadState']>[0]);
  }
  let stop = false;
  const snapshot = (): TrainingState => ({ ...state, optimizer: opt.state(), shuffleRng: shuffle.getState(), modelRng: net.container.rng.getState(), history: [...state.history] });
  const ctl: FitControl = { stop: () => (stop = true), state: snapshot };
  let best: (Float32Array | Float64Array)[] | null = null;
  const lastGood = params.map((p) => p.value.slice());
  const batches = Math.ceil(N / o.batchSize);
  for (let epoch = state.epoch; epoch < o.epochs && !stop; epoch++) {
    const t0 = Date.now();
    const order = perEpoch === null || perEpoch >= index.count ? shuffle.permutation(index.count) : sample(shuffle, index.count, N);
    let sum = 0;
    let div = 0;
    for (let bi = 0; bi < batches && !stop; bi++) {
      const s0 = bi * o.batchSize;
      const B = Math.min(N, s0 + o.batchSize) - s0;
      for (let b = 0; b < B; b++) {
        const [i, origin] = index.locate(order[s0 + b]);
        builder.fill(batch, b, i, origin, endOf?.(i) ?? builder.scaling.end[i], flip && shuffle.next() < 0.5);
      }
      net.container.zeroGrad();
      const pred = net.forward(batch, B, T, F, H, true);
      const r = headLoss(net, pred, batch, B, H, true);
      if (!Number.isFinite(r.loss)) {
        for (let k = 0; k < params.length; k++) params[k].value.set(lastGood[k]);
        throw new DivergenceError(`[forecast] training diverged at epoch ${epoch + 1}, batch ${bi + 1} of ${batches}: loss ${r.loss}. The model keeps the weights from before this batch. Hint: lower --lr.`);
      }
      net.backward(r.grad!);
      const norm = clipGradNorm(params, clip);
      if (!Number.isFinite(norm)) {
        for (let k = 0; k < params.length; k++) params[k].value.set(lastGood[k]);
        throw new DivergenceError(`[forecast] training diverged at epoch ${epoch + 1}, batch ${bi + 1} of ${batches}: gradient norm ${norm}. Hint: lower --lr.`);
      }
      opt.step();
      for (let k = 0; k < params.length; k++) lastGood[k].set(params[k].value);
      sum += r.loss * r.divisor;
      div += r.divisor;
      if (o.callbacks?.onBatchEnd) await o.callbacks.onBatchEnd({ epoch: epoch + 1, batch: bi + 1, batches, loss: r.loss, gradNorm: norm }, ctl);
    }
    if (stop && div === 0) break;
    const log: EpochLog = { epoch: epoch + 1, loss: div > 0 ? sum / div : NaN, lr: o.lr, seconds: (Date.now() - t0) / 1000, skipped: 0 };
    if (valSeries.length > 0) log.valLoss = validationLoss(net, builder, valSeries, o.batchSize);
    state.history.push(log);
    state.epoch = epoch + 1;
    if (o.validation && log.valLoss !== undefined) {
      if (state.bestMetric === null || log.valLoss < state.bestMetric) {
        state.bestMetric = log.valLoss;
        state.bestEpoch = epoch + 1;
        state.badEpochs = 0;
        best = params.map((p) => p.value.slice());
      } else state.badEpochs++;
    }
    if (o.callbacks?.onEpochEnd) await o.callbacks.onEpochEnd(log, ctl);
    if (o.patience !== undefined && state.badEpochs >= o.patience) break;
  }
  if (best !== null) for (let k = 0; k < params.length; k++) params[k].value.set(best[k]);
  return { epochs: state.history, windows: index.count, validationWindows: valSeries.length, bestEpoch: state.bestEpoch, stopped: stop, state: snapshot() };
}

/** k distinct numbers from [0, n), in random order (partial Fisher–Yates over a sparse map). */
function sample(rng: Rng, n: number, k: number): Int32Array {
  const swapped = new Map<number, number>();
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = swapped.get(j) ?? j;
    out[i] = vj;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return out;
}

function validationLoss(net: ForecastNet, builder: WindowBuilder, seriesIdx: number[], batchSize: number): number {
  const { T, F } = builder;
  const H = builder.spec.horizon;
  const batch = builder.allocate(batchSize);
  let sum = 0;
  let div = 0;
  for (let s0 = 0; s0 < seriesIdx.length; s0 += batchSize) {
    const B = Math.min(batchSize, seriesIdx.length - s0);
    for (let b = 0; b < B; b++) {
      const i = seriesIdx[s0 + b];
      const end = builder.scaling.end[i];
      builder.fill(batch, b, i, end - H, end);
    }
    const pred = net.forward(batch, B, T, F, H, false);
    const r = headLoss(net, pred, batch, B, H, false);
    sum += r.loss * r.divisor;
    div += r.divisor;
  }
  return div > 0 ? sum / div : NaN;
}

/**
 * Raw head outputs at the H future steps of each (series, origin): (N, H, P) as a Float32Array,
 * with the anchors and scales that map them back to the data's units. Batched, so memory stays
 * bounded by `batchSize` windows plus the outputs.
 */
export function predictRaw(net: ForecastNet, builder: WindowBuilder, series: ArrayLike<number>, origins: ArrayLike<number>, batchSize = 256): { out: Float32Array; anchor: Float64Array; scale: Float64Array; offset: Float64Array } {
  const { T, F } = builder;
  const H = builder.spec.horizon;
  const P = net.outputs;
  const N = series.length;
  const out = new Float32Array(N * H * P);
  const anchor = new Float64Array(N);
  const scale = new Float64Array(N);
  const offset = new Float64Array(N * H);
  const batch = builder.allocate(Math.min(batchSize, Math.max(N, 1)));
  for (let s0 = 0; s0 < N; s0 += batchSize) {
    const B = Math.min(batchSize, N - s0);
    for (let b = 0; b < B; b++) builder.fill(batch, b, series[s0 + b], origins[s0 + b], 0);
    const pred = net.forward(batch, B, T, F, H, false).data; // (B, H, P)
    for (let b = 0; b < B; b++) {
      out.set(pred.subarray(b * H * P, (b + 1) * H * P), (s0 + b) * H * P);
      anchor[s0 + b] = batch.anchor[b];
      scale[s0 + b] = batch.scale[b];
      offset.set(batch.offset.subarray(b * H, (b + 1) * H), (s0 + b) * H);
    }
  }
  return { out, anchor, scale, offset };
}

// Sequential: a chain of layers (LSTM, Dense, Embedding, Dropout, LayerNorm, Activation) that
// behaves as one layer — forward, backward, named parameters with PyTorch-style prefixes
// ('lstm.weight_ih_l0', 'head.weight'), a summary, and a config that rebuilds it. Training
// (fit/evaluate/predict) lives in src/train and takes any Sequential; model files in src/io.

import { Tensor, formatShape, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { CallContext, Layer, Param } from './layer.js';
import { paramCount, loadParams, type StateDictLike } from './layer.js';
import { fit, evaluate, predict, type FitOptions, type History, type EvaluateOptions, type TrainingState } from '../train/fit.js';
import { modelFromBytes, modelToBytes } from '../io/model.js';
import { checkChain } from './chain.js';
import { show } from '../util/check.js';

type FileSaver = (path: string, model: Sequential, options: { extra?: Record<string, unknown>; training?: TrainingState }) => Promise<void>;
let fileSaver: FileSaver | null = null;

/** Installed by the Node entry point (src/node.ts), so that model.save(path) writes files there and only there. */
export function setFileSaver(saver: FileSaver): void {
  fileSaver = saver;
}

export interface NamedLayer {
  name: string;
  layer: Layer;
}

export interface SequentialOptions {
  /** Seed of the generator used for dropout masks during training. */
  seed?: number;
}

export class Sequential implements Layer {
  readonly kind = 'Sequential';
  readonly layers: readonly NamedLayer[];
  /** Generator for dropout masks (and anything else random during training); its state goes into checkpoints. */
  readonly rng: Rng;

  /**
   * `new Sequential([lstm, dense])` names layers by kind ('lstm', 'dense', 'dense_1', …);
   * `new Sequential({ lstm, head: dense })` or `[['lstm', lstm], ['head', dense]]` names them yourself.
   */
  constructor(layers: Layer[] | Array<[string, Layer]> | Record<string, Layer>, options: SequentialOptions = {}) {
    if (layers === null || typeof layers !== 'object') {
      throw new ConfigError(`[Sequential] layers must be an array of layers, of [name, layer] pairs, or an object of named layers; received ${layers === null ? 'null' : typeof layers}.`);
    }
    if (options === null || typeof options !== 'object') throw new ConfigError(`[Sequential] options must be an object; received ${options === null ? 'null' : typeof options}.`);
    if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
      throw new ConfigError(`[Sequential] seed must be a finite number; received ${String(options.seed)}.`);
    }
    const entries: Array<[string | null, Layer]> = Array.isArray(layers)
      ? layers.map((l) => (Array.isArray(l) ? ([l[0], l[1]] as [string, Layer]) : ([null, l] as [null, Layer])))
      : Object.entries(layers);
    if (entries.length === 0) throw new ConfigError('[Sequential] needs at least one layer; received none.');
    const used = new Map<string, number>();
    const named: NamedLayer[] = [];
    for (const [given, layer] of entries) {
      if (layer === null || typeof layer !== 'object' || typeof (layer as Layer).call !== 'function' || typeof (layer as Layer).kind !== 'string') {
        throw new ConfigError(`[Sequential] every entry must be a layer (LSTM, Dense, …); received ${show(layer)}.`);
      }
      let name = given;
      if (name === null) {
        const base = layer.kind.toLowerCase();
        const n = used.get(base) ?? 0;
        used.set(base, n + 1);
        name = n === 0 ? base : `${base}_${n}`;
      }
      if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new ConfigError(`[Sequential] layer names must be identifiers (letters, digits, _); received ${show(name)}.`);
      }
      if (named.some((l) => l.name === name)) throw new ConfigError(`[Sequential] layer names must be unique; received '${name}' twice.`);
      named.push({ name, layer });
    }
    const dtypes = new Set(named.map((l) => l.layer.dtype));
    if (dtypes.size > 1) throw new ConfigError(`[Sequential] all layers must share one dtype; received ${[...dtypes].join(' and ')}.`);
    checkChain(named);
    this.layers = Object.freeze(named);
    this.rng = new Rng(options.seed ?? 0);
  }

  get dtype(): DType {
    return this.layers[0].layer.dtype;
  }

  /** The layer called `name`. */
  get(name: string): Layer {
    const l = this.layers.find((e) => e.name === name);
    if (l === undefined) {
      throw new ConfigError(`[Sequential.get] no layer '${name}'; layers are: ${this.layers.map((e) => e.name).join(', ')}.`);
    }
    return l.layer;
  }

  params(): Param[] {
    const out: Param[] = [];
    for (const { name, layer } of this.layers) {
      for (const p of layer.params()) out.push({ name: `${name}.${p.name}`, shape: p.shape, value: p.value, grad: p.grad });
    }
    return out;
  }

  /** Parameter by full name, e.g. 'lstm.weight_ih_l0'. */
  param(name: string): Param {
    const p = this.params().find((q) => q.name === name);
    if (p === undefined) {
      throw new ConfigError(`[Sequential.param] no parameter '${name}'; parameters are: ${this.params().map((q) => q.name).join(', ')}.`);
    }
    return p;
  }

  zeroGrad(): void {
    for (const { layer } of this.layers) layer.zeroGrad();
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    let h = x;
    const c: CallContext = { ...ctx, rng: ctx.rng ?? this.rng };
    for (const { layer } of this.layers) {
      h = layer.call(h, c);
      // once a layer has reduced the time axis (returnSequences: false), lengths no longer apply
      if (h.rank < 3) c.lengths = undefined;
    }
    return h;
  }

  callBackward(dy: Tensor): Tensor {
    let d = dy;
    for (let k = this.layers.length - 1; k >= 0; k--) d = this.layers[k].layer.callBackward(d);
    return d;
  }

  outputShape(inputShape: readonly (number | null)[]): (number | null)[] {
    let s: (number | null)[] = [...inputShape];
    for (const { layer } of this.layers) s = layer.outputShape(s);
    return s;
  }

  config(): Record<string, unknown> {
    return { layers: this.layers.map(({ name, layer }) => ({ name, kind: layer.kind, config: layer.config() })) };
  }

  /** Copies of every parameter by full name (PyTorch state_dict naming). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const p of this.params()) out[p.name] = new Tensor(p.value.slice(), p.shape);
    return out;
  }

  /** Load parameters by full name; shapes must match exactly, and (strict) no name may be missing or unknown. */
  loadStateDict(dict: StateDictLike, { strict = true } = {}): void {
    loadParams(this.params(), dict, 'Sequential.loadStateDict', { strict });
  }

  // ---------------------------------------------------------------- training and files

  /** Train on (x, y); see FitOptions. Resolves to the per-epoch history. */
  fit(x: Tensor, y: Tensor, options: FitOptions): Promise<History> {
    return fit(this, x, y, options);
  }

  /** Loss (and accuracy for classification) in inference mode. */
  evaluate(x: Tensor, y: Tensor, options: EvaluateOptions): { loss: number; accuracy?: number } {
    return evaluate(this, x, y, options);
  }

  /** Batched inference; lengths for right-padded variable-length input. */
  predict(x: Tensor, options: { batchSize?: number; lengths?: ArrayLike<number> } = {}): Tensor {
    return predict(this, x, options);
  }

  /** The model file (safetensors with the architecture in its metadata) as bytes; works in browsers. */
  toBytes(options: { extra?: Record<string, unknown>; training?: TrainingState } = {}): Uint8Array {
    return modelToBytes(this, options);
  }

  /** Rebuild a model from toBytes() output (or a file written by save()). */
  static fromBytes(bytes: Uint8Array): Sequential {
    return modelFromBytes(bytes).model;
  }

  /** Write the model file atomically (Node; in a browser use toBytes()). */
  async save(path: string, options: { extra?: Record<string, unknown>; training?: TrainingState } = {}): Promise<void> {
    if (fileSaver === null) {
      throw new ConfigError(`[Sequential.save] saving to a path needs Node.js (import from 'longshort' in Node); received path '${path}' in an environment without files. Hint: use model.toBytes() in a browser.`);
    }
    await fileSaver(path, this, options);
  }

  /** A table of layers, output shapes and parameter counts, as Keras prints it. */
  summary(inputShape?: readonly (number | null)[]): string {
    const rows: string[][] = [['Layer (name)', 'Output shape', 'Params']];
    let s: (number | null)[] | null = inputShape ? [...inputShape] : null;
    for (const { name, layer } of this.layers) {
      if (s !== null) s = layer.outputShape(s);
      rows.push([`${name} (${layer.kind})`, s === null ? '?' : `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')})`, String(paramCount(layer.params()))]);
    }
    const total = paramCount(this.params());
    const w = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k].length)));
    const line = (r: string[]): string => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padStart(w[2])}`;
    const sep = '-'.repeat(w[0] + w[1] + w[2] + 4);
    return [line(rows[0]), sep, ...rows.slice(1).map(line), sep, `Total params: ${total}`].join('\n');
  }
}

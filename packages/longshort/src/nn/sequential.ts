// Sequential: a chain of layers (LSTM, Dense, Embedding, Dropout, LayerNorm, Activation) that
// behaves as one layer — forward, backward, named parameters with PyTorch-style prefixes
// ('lstm.weight_ih_l0', 'head.weight'), a summary, and a config that rebuilds it. Training
// (fit/evaluate/predict) lives in src/train and works on any Model; writing files in src/io
// (./model-bytes.ts); neither depends on this class, so the methods below that reach them make no
// import cycle. Reading a model file builds a Sequential (src/io/model.ts), so Sequential.fromBytes
// is on the public class above both (src/model/sequential.ts); model.save(path) writes with the
// file saver it is given — the Node entry's Sequential passes its own (src/model/sequential-node.ts).

import { Tensor, formatShape, type DType } from '../tensor.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { CallContext, Layer, Model, NamedLayer, Param } from './layer.js';
import { paramCount, loadParams, renamedParam, type StateDictLike } from './layer.js';
import type { KernelName, Kernels } from '../kernels/types.js';
import { fit, evaluate, predict, type FitOptions, type History, type EvaluateOptions } from '../train/fit.js';
import type { TrainingState } from '../train/state.js';
import { modelToBytes } from '../io/model-bytes.js';
import { checkChain } from './chain.js';
import { show } from '../util/check.js';

export type { NamedLayer } from './layer.js';

/** What a model file may carry besides the weights: user data, and a checkpoint's training state. */
export interface ModelFileOptions {
  /** JSON data of your own (vocabularies, scalers, settings), stored in the file's metadata. */
  extra?: Record<string, unknown>;
  /** A training state (History.state or FitControl.state()), to resume training from the file. */
  training?: TrainingState;
}

/** Writes a model file at a path (Node: saveModel in src/io/model-node.ts, atomic). */
export type ModelSaver = (path: string, model: Sequential, options: ModelFileOptions) => Promise<void>;

/** Options of a Sequential model; bad values throw ConfigError. */
export interface SequentialOptions {
  /** Seed of the generator used for dropout masks during training. */
  seed?: number;
  /**
   * true (default): the layers are called in order, so each must take what the one before gives
   * (checked here). false: the Sequential only holds layers that other code calls (a forecasting
   * network's LSTM, head and series embedding; an ensemble), for their parameters, names and model
   * file; the chain is not checked and the model file says so.
   */
  chain?: boolean;
}

/**
 * A chain of named layers that behaves as one layer: forward, backward, named parameters
 * ('lstm.weight_ih_l0'), a summary, and a config that rebuilds it, with fit/evaluate/predict and
 * model files as methods. The public classes longshort exports extend this one.
 */
export class Sequential implements Model {
  readonly kind = 'Sequential';
  /** The layers in order, with their names. */
  readonly layers: readonly NamedLayer[];
  /** Generator for dropout masks (and anything else random during training); its state goes into checkpoints. */
  readonly rng: Rng;
  /** false: a container of layers that other code calls, not a chain (SequentialOptions.chain). */
  readonly chain: boolean;

  /**
   * `new Sequential([lstm, dense])` names layers by kind ('lstm', 'dense', 'dense_1', …);
   * `new Sequential({ lstm, head: dense })` or `[['lstm', lstm], ['head', dense]]` names them yourself.
   * Throws ConfigError for no layers, names that are not unique identifiers, mixed dtypes, or
   * (with chain) a layer whose input size is not the previous layer's output size.
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
    if (options.chain !== undefined && typeof options.chain !== 'boolean') throw new ConfigError(`[Sequential] chain must be true or false; received ${show(options.chain)}.`);
    this.chain = options.chain ?? true;
    if (this.chain) checkChain(named);
    this.layers = Object.freeze(named);
    this.rng = new Rng(options.seed ?? 0);
  }

  /** The layers' element type (they all share one). */
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

  /** Every parameter under its full name ('lstm.weight_ih_l0'); each Param reads its layer's current arrays. */
  params(): Param[] {
    const out: Param[] = [];
    for (const { name, layer } of this.layers) {
      for (const p of layer.params()) out.push(renamedParam(`${name}.${p.name}`, p));
    }
    return out;
  }

  /**
   * Compute every layer with this kernel family from now on (a name, or a family object such as
   * createWasmKernelsThreaded()'s). Parameters move into its memory; Param objects, and optimizers
   * built on them, follow. Layers without kernels (Dropout) are unaffected.
   */
  useKernels(prefer: 'auto' | KernelName | Kernels): void {
    for (const { layer } of this.layers) (layer as { useKernels?: (k: 'auto' | KernelName | Kernels) => void }).useKernels?.(prefer);
  }

  /** Give every layer's memory back to its kernel family now (parameters, gradients, buffers); the model must not be used afterwards. */
  dispose(): void {
    for (const { layer } of this.layers) layer.dispose?.();
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
    const layers = this.layers.map(({ name, layer }) => ({ name, kind: layer.kind, config: layer.config() }));
    return this.chain ? { layers } : { layers, chain: false };
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

  /** Train on (x, y) (rows along axis 0); see fit() and FitOptions. Resolves to the per-epoch history. */
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
  toBytes(options: ModelFileOptions = {}): Uint8Array {
    return modelToBytes(this, options);
  }

  /**
   * Write the model file to `path` with a file saver: the one in `options.saver`, else this class's
   * default. In Node the Sequential that 'longshort' exports writes atomically (temp file, fsync,
   * rename); a browser has no files — use toBytes() there.
   */
  async save(path: string, options: ModelFileOptions & { saver?: ModelSaver } = {}): Promise<void> {
    const { saver = this.defaultSaver(), ...fileOptions } = options;
    if (saver === null) {
      throw new ConfigError(
        `[Sequential.save] saving to a path needs a file saver; received path '${path}' and none. ` +
          "Hint: in Node, import Sequential (or loadModel) from 'longshort', or call saveModel(path, model); in a browser use model.toBytes().",
      );
    }
    await saver(path, this, fileOptions);
  }

  /** The saver save() uses when none is passed: none here; the Node entry's subclass has one. */
  protected defaultSaver(): ModelSaver | null {
    return null;
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

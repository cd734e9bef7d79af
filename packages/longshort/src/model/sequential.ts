// The Sequential that longshort exports: the layer chain of src/nn/sequential.ts (with training and
// writing files as methods) plus Sequential.fromBytes, which reads a model file. Reading builds a
// Sequential (src/io/model.ts), so this one method lives here, above nn/ and io/, and nothing
// imports in a circle. Browser-safe.

import { Sequential as Chain } from '../nn/sequential.js';
import { modelFromBytes } from '../io/model.js';

/**
 * A model made of named layers called in order (LSTM, Dense, Embedding, Dropout, LayerNorm,
 * Activation), trained with model.fit(), saved as one safetensors file (toBytes(), and in Node
 * save(path)). This is the browser-safe class; the Node entry's Sequential adds a save() that
 * writes files. Bad layers or options throw ConfigError.
 * @example
 * ```ts
 * const model = new Sequential({
 *   lstm: new LSTM({ inputSize: 3, hiddenSize: 16, returnSequences: false }),
 *   head: new Dense({ inputSize: 16, outputSize: 1 }),
 * });
 * await model.fit(x, y, { loss: 'mse', epochs: 5 });    // x (N, T, 3), y (N, 1)
 * const bytes = model.toBytes();
 * const again = Sequential.fromBytes(bytes);
 * ```
 */
export class Sequential extends Chain {
  /** Rebuild a model from toBytes() output (or a file written by save()). Throws FormatError for malformed bytes, NonFiniteError for non-finite weights. */
  static fromBytes<C extends typeof Sequential>(this: C, bytes: Uint8Array): InstanceType<C> {
    return this.adopt(modelFromBytes(bytes).model);
  }

  /**
   * The same layers (shared, not copied) and dropout generator state as an instance of this class
   * — for a model built by library code (a file reader, an importer), so that it has this class's
   * methods (in Node: a save() that writes files).
   */
  static adopt<C extends typeof Sequential>(this: C, model: Chain): InstanceType<C> {
    if (model instanceof this) return model as InstanceType<C>;
    const m = new this(model.layers.map(({ name, layer }) => [name, layer] as [string, typeof layer]), { chain: model.chain }) as InstanceType<C>;
    m.rng.setState(model.rng.getState());
    return m;
  }
}

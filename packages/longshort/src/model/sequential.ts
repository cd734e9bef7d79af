// The Sequential that longshort exports: the layer chain of src/nn/sequential.ts (with training and
// writing files as methods) plus Sequential.fromBytes, which reads a model file. Reading builds a
// Sequential (src/io/model.ts), so this one method lives here, above nn/ and io/, and nothing
// imports in a circle. Browser-safe.

import { Sequential as Chain } from '../nn/sequential.js';
import { modelFromBytes } from '../io/model.js';

export class Sequential extends Chain {
  /** Rebuild a model from toBytes() output (or a file written by save()). */
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

// The Sequential of longshort's Node entry: the public class (./sequential.ts) whose save(path)
// writes model files atomically (temp file, fsync, rename) with src/io/model-node.ts — the file
// saver passed in here, at the Node edge, so that nothing browser-safe depends on files. The
// model loaders here return this class too.

import { Sequential as PublicSequential } from './sequential.js';
import type { ModelFileOptions, ModelSaver } from '../nn/sequential.js';
import { loadModel as readModel, loadModelFile as readModelFile, saveModel } from '../io/model-node.js';
import type { ModelFile } from '../io/model.js';

/**
 * A model made of named layers called in order (LSTM, Dense, Embedding, Dropout, LayerNorm,
 * Activation): forward and backward as one layer, parameters named as in PyTorch
 * ('lstm.weight_ih_l0', 'head.bias'), training with model.fit(), and one safetensors model file
 * that save(path) writes atomically (temp file, fsync, rename) and loadModel(path) reads back.
 *
 * Layers given as an array are named by kind ('lstm', 'dense', 'dense_1'); give an object or
 * [name, layer] pairs to name them yourself. Each layer must take what the previous one gives
 * (checked unless `chain: false`). Bad layers or options throw ConfigError.
 * @example
 * ```ts
 * import { Sequential, LSTM, Dense, loadModel, tensor } from 'longshort';
 *
 * const model = new Sequential({
 *   lstm: new LSTM({ inputSize: 3, hiddenSize: 16, returnSequences: false }),
 *   head: new Dense({ inputSize: 16, outputSize: 1 }),
 * });
 * console.log(model.summary([null, 20, 3]));
 * await model.fit(x, y, { loss: 'mse', epochs: 5 });  // x (N, 20, 3), y (N, 1)
 * const yHat = model.predict(x);                      // (N, 1)
 * await model.save('model.safetensors');
 * const same = await loadModel('model.safetensors');
 * ```
 */
export class Sequential extends PublicSequential {
  // save() rather than defaultSaver() is overridden: a public method keeps this class structurally
  // the chain's type, so models built by the core (importOnnx, loadPytorchSafetensors, ...) type-check
  // where this Sequential is expected; Sequential.adopt(model) gives one of them this save().
  /** Write the model file to `path` atomically (temp file, fsync, rename); options.extra and options.training go into its metadata. */
  override async save(path: string, options: ModelFileOptions & { saver?: ModelSaver } = {}): Promise<void> {
    await super.save(path, { saver: saveModel, ...options });
  }
}

/** Load a model saved by model.save / saveModel (its save() writes files again). Throws FileError when the file cannot be read, FormatError when it is malformed. */
export async function loadModel(path: string): Promise<Sequential> {
  return Sequential.adopt(await readModel(path));
}

/** Load a model file with its extra data and training state (checkpoints). */
export async function loadModelFile(path: string): Promise<ModelFile & { model: Sequential }> {
  const f = await readModelFile(path);
  return { ...f, model: Sequential.adopt(f.model) };
}

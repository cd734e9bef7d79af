// The Sequential of longshort's Node entry: the public class (./sequential.ts) whose save(path)
// writes model files atomically (temp file, fsync, rename) with src/io/model-node.ts — the file
// saver passed in here, at the Node edge, so that nothing browser-safe depends on files. The
// model loaders here return this class too.

import { Sequential as PublicSequential } from './sequential.js';
import type { ModelFileOptions, ModelSaver } from '../nn/sequential.js';
import { loadModel as readModel, loadModelFile as readModelFile, saveModel } from '../io/model-node.js';
import type { ModelFile } from '../io/model.js';

export class Sequential extends PublicSequential {
  // save() rather than defaultSaver() is overridden: a public method keeps this class structurally
  // the chain's type, so models built by the core (importOnnx, loadPytorchSafetensors, ...) type-check
  // where this Sequential is expected; Sequential.adopt(model) gives one of them this save().
  override async save(path: string, options: ModelFileOptions & { saver?: ModelSaver } = {}): Promise<void> {
    await super.save(path, { saver: saveModel, ...options });
  }
}

/** Load a model saved by model.save / saveModel (its save() writes files again). */
export async function loadModel(path: string): Promise<Sequential> {
  return Sequential.adopt(await readModel(path));
}

/** Load a model file with its extra data and training state (checkpoints). */
export async function loadModelFile(path: string): Promise<ModelFile & { model: Sequential }> {
  const f = await readModelFile(path);
  return { ...f, model: Sequential.adopt(f.model) };
}

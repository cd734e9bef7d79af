// Node edge for model files: save atomically (temp file, fsync, rename — a crash or Ctrl-C mid-write
// never leaves a half-written model), load with errors that name the file.

import { resolve } from 'node:path';
import { readFileChecked, writeFileAtomic } from './node.js';
import { modelFromBytes, modelToBytes, type ModelFile } from './model.js';
import type { Sequential } from '../nn/sequential.js';
import type { TrainingState } from '../train/fit.js';

/**
 * Write a model file (safetensors with the architecture in its metadata) to `path` atomically:
 * temp file, fsync, rename, so a crash never leaves a half-written model. `extra` is JSON data of
 * your own; `training` a training state for checkpoints. What model.save(path) does in Node.
 */
export async function saveModel(
  path: string,
  model: Sequential,
  options: { extra?: Record<string, unknown>; training?: TrainingState } = {},
): Promise<void> {
  await writeFileAtomic(path, modelToBytes(model, options));
}

/** Read a model file with its extra data and training state; errors name the file. */
export async function loadModelFile(path: string): Promise<ModelFile> {
  const bytes = await readFileChecked(path);
  try {
    return modelFromBytes(bytes);
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message} (file: '${resolve(path)}')`;
    throw err;
  }
}

/** Load a model saved by model.save / saveModel. */
export async function loadModel(path: string): Promise<Sequential> {
  return (await loadModelFile(path)).model;
}

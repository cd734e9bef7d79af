// Online handwriting recognition with a bidirectional LSTM and CTC (see docs/handwriting.md):
// single-stroke fonts as pen trajectories, many-writer synthesis, per-point features, the model,
// its training loop and decoding (greedy, beam, character language model, lexicon). Browser-safe.
export * from './fonts.js';
export * from './ink.js';
export * from './synth.js';
export * from './features.js';
export * from './text.js';
export * from './dataset.js';
export * from './model.js';
export * from './recognise.js';
export * from './lm.js';
export * from './train.js';

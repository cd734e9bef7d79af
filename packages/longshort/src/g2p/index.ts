// Grapheme-to-phoneme with a bidirectional LSTM and CTC (see docs/g2p.md). Browser-safe: the
// dictionary itself is read in Node by src/data/cmudict-node.ts.
export { buildG2PModel, g2pExtra, vocabsFromExtra, type G2PModelOptions, type G2PExtra } from './model.js';
export { makeBatch, bucketedBatches, evenSubset, type G2PBatch } from './batch.js';
export { trainG2P, type G2PTrainOptions, type G2PTrainResult, type G2PEpochLog, type G2PBatchLog } from './train.js';
export { predictIds, evaluateG2P, pronounce, wordToExample, type DecodeOptions } from './infer.js';
export {
  RECIPE_DEFAULTS, resolveRecipe, buildRecipeModel, makeOptimizer, makeSchedule, runG2PRecipe, WarmupExponential,
  averageWeightsInto, snapshotWeights, loadWeights,
  type G2PRecipe, type G2PSchedule, type G2PRunState, type G2PRunHooks, type G2PRunResult, type G2PRecipeEpochLog, type G2PSnapshotInfo,
} from './recipe.js';
export {
  buildLexicon, trainPhonemeLM, wordLogProbs, decodeG2P, evaluateG2PDecoder, tuneG2PDecoder, pronounceWithAlignment,
  type G2PFrame, type G2PDecoderOptions, type G2PDecoded, type G2PDecoderGrid, type G2PTuneRow,
} from './decode.js';

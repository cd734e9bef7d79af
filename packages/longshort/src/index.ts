// longshort: the browser-safe core. Node-only pieces (files, threads, the CLI) are in src/node.ts,
// which re-exports all of this.
export { Tensor, tensor, zeros, sizeOf, formatShape, type Arr, type DType } from './tensor.js';
export * from './errors.js';
export { Rng, type RngState } from './util/rng.js';
export { getKernels, registerKernels, refKernels, kernelFamilies, kernelsOf, type Kernels, type KernelName } from './kernels/index.js';
export type { ActivationName } from './kernels/activations.js';
export type { LstmCellSpec } from './kernels/types.js';
export { LSTM, type LSTMOptions, type LstmForwardOptions, type LstmForwardResult, type LstmGates, type LstmState, type LstmVariant } from './nn/lstm.js';
export { Dense, type DenseOptions } from './nn/dense.js';
export { Embedding, type EmbeddingOptions } from './nn/embedding.js';
export { Dropout, type DropoutOptions } from './nn/dropout.js';
export { LayerNorm, type LayerNormOptions } from './nn/layernorm.js';
export { Activation, type ActivationOptions } from './nn/activations.js';
export { Sequential } from './model/sequential.js';
export type { SequentialOptions, ModelSaver, ModelFileOptions } from './nn/sequential.js';
export type { Layer, Param, CallContext, Model, NamedLayer } from './nn/layer.js';
export * from './losses/index.js';
export * from './optim/index.js';
export { fit, evaluate, predict, type FitOptions, type FitControl, type History, type EpochLog, type BatchLog, type TrainingState } from './train/fit.js';
export { trainStep, computeGradients, WeightGuard, type StepOptions, type StepOutcome, type BatchResult } from './train/step.js';
export { modelToBytes, modelFromBytes } from './io/model.js';
export * from './io/index.js';
export * from './ctc/index.js';
export { lstmFromOnnx, lstmToOnnx } from './interop/onnx-lstm.js';
export { loadTfjsModel } from './interop/tfjs.js';
export * from './data/index.js';
export * from './metrics/index.js';
export { fitStateful, type StatefulFitOptions } from './train/stateful.js';
export { exportOnnx, importOnnx, inspectModelFile, type ExportOnnxOptions, type ModelFileInfo } from './interop/onnx.js';
export { loadOnnx, OnnxModel, SUPPORTED_OPS, type LoadOnnxOptions, type OnnxFeed, type OnnxModelIo } from './interop/onnx-run.js';
export {
  loadPytorchSafetensors,
  savePytorchSafetensors,
  fromPytorchStateDict,
  toPytorchStateDict,
  detectPytorchArchitecture,
  pytorchArchitectureOf,
  type PytorchArchitecture,
} from './interop/pytorch.js';
export { loadWasmKernelsFrom } from './kernels/wasm/browser.js';
export type { WasmBinaries, WasmKernels } from './kernels/wasm/index.js';
export { ThreadPool, createPoolWorker, type PoolPort, type PoolReply, type PoolRequest } from './train/threads.js';
export { buildG2PModel, g2pExtra, vocabsFromExtra, makeBatch, bucketedBatches, evenSubset, trainG2P, predictIds, evaluateG2P, pronounce, wordToExample } from './g2p/index.js';
export type { G2PModelOptions, G2PExtra, G2PBatch, G2PTrainOptions, G2PTrainResult, G2PEpochLog, G2PBatchLog, DecodeOptions as G2PDecodeOptions } from './g2p/index.js';
export {
  RECIPE_DEFAULTS, resolveRecipe, buildRecipeModel, runG2PRecipe, averageWeightsInto, snapshotWeights, loadWeights,
  buildLexicon, trainPhonemeLM, wordLogProbs, decodeG2P, evaluateG2PDecoder, tuneG2PDecoder, pronounceWithAlignment,
} from './g2p/index.js';
export type {
  G2PRecipe, G2PSchedule, G2PRunState, G2PRunHooks, G2PRunResult, G2PRecipeEpochLog, G2PSnapshotInfo,
  G2PDecoderOptions, G2PDecoded, G2PDecoderGrid, G2PTuneRow, G2PFrame,
} from './g2p/index.js';
export { ElmanRNN } from './experiments/elman.js';
export { gateHeatmapRows, type HeatmapRow, type GateTensors, type GateName, type GateRowOptions } from './apps/gates.js';
export * from './data/cmudict.js';
// The applications behind the command line's commands, as namespaces: each is a complete pipeline
// (data → model → metrics) that the CLI only wraps with files, options and progress.
export * as forecastApp from './apps/forecast.js';
export * as sequenceApp from './apps/sequences.js';
export * as textApp from './apps/text.js';
export * as gatesApp from './apps/gates.js';
export * as experiments from './experiments/index.js';
// Forecasting: global models over many series, covariates, probabilistic heads, backtests, baselines.
export * from './forecast/index.js';
export {
  loadPanel,
  prepareRun,
  runForecast,
  panelInfo,
  forecastExtra,
  forecastNetFromFile,
  serializeFold,
  deserializeFold,
  forecastCsv,
  samplesCsv,
  scoreRows,
  scoreHeader,
  percentText,
  comparison,
  forecastGateInput,
  type LoadOptions,
  type RunOptions,
  type RunCallbacks,
  type RunResult,
  type PanelInfo,
  type ForecastExtra,
  type SerializedFold,
} from './apps/forecast.js';
export * from './handwriting/index.js';
export * from './speech/index.js';

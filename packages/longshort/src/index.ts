// longshort: the browser-safe core. Node-only pieces (files, threads, the CLI) are in src/node.ts,
// which re-exports all of this.
export { Tensor, tensor, zeros, sizeOf, formatShape, type Arr, type DType } from './tensor.js';
export * from './errors.js';
export { Rng, type RngState } from './util/rng.js';
export { getKernels, setDefaultKernels, registerKernels, refKernels, kernelFamilies, kernelsOf, type Kernels, type KernelName } from './kernels/index.js';
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
/**
 * The forecasting application behind `longshort forecast`: read one or many series from CSV text,
 * backtest the global LSTM against the baselines (after an optional grid search), forecast past
 * the end of the data, and write the CSV, report and model-file extra. Browser-safe.
 */
export * as forecastApp from './apps/forecast.js';
/**
 * Sequence classification and regression behind `longshort train` / `longshort predict`: one
 * variable-length sequence per example (JSON Lines or long CSV), one label per sequence.
 */
export * as sequenceApp from './apps/sequences.js';
export { PaddedBatchExecutor, padBatch, bucketedOrder, placeholderRows, evaluateRagged, predictRagged, lengthChunks, type RaggedSequences, type PaddedBatchOptions } from './data/sequences.js';
/** The character-level language model behind `longshort text train|generate`: Embedding → LSTM → Dense, bits per character, stateful sampling. */
export * as textApp from './apps/text.js';
/** Gate activations of a model's first LSTM layer over one sequence, as heatmap rows (`longshort gates`). */
export * as gatesApp from './apps/gates.js';
/**
 * The research experiments behind `longshort experiment <name>`: the adding problem and temporal
 * order (Hochreiter & Schmidhuber 1997, LSTM vs an Elman RNN) and Greff et al.'s gate variants.
 * Each returns a JSON-ready report, a Markdown table and Vega-Lite chart specs. Browser-safe.
 */
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

// Types that public signatures use, exported so that users can name them (and the docs can show them).
export type { LossName, LossFn, LossOptions } from './train/losses.js';
export type { OptimizerSpec } from './train/optimizer.js';
export type { FitCallbacks, Dataset, EvaluateOptions, BatchExecutor, BatchJob } from './train/fit.js';
export type { LossValue } from './train/step.js';
export type { ModelFile } from './io/model.js';
export type { SerializableModel } from './io/model-bytes.js';
export type { StateDictLike } from './nn/layer.js';
export type { NestedNumbers } from './tensor.js';
export type { DenseInit } from './nn/dense.js';
export type { ActivationFn } from './nn/activations.js';
export type { DenseActivation, LstmWeights, LstmCache, LstmRun, LstmDims, LstmBackWork, SgdStep, AdamStep, RmspropStep } from './kernels/types.js';
export type { LayerParam } from './nn/layer.js';
export type { LoadTfjsOptions } from './interop/tfjs.js';
export type { PytorchLoadOptions, StateDictLike as PytorchStateDictLike } from './interop/pytorch.js';
export type { OnnxLstmWeights, OnnxLstmAttributes, OnnxTensorLike } from './interop/onnx-lstm.js';
export type { ModelFileTensor } from './interop/onnx.js';
export type { Kind as OnnxValueKind } from './interop/onnx-ops.js';
export type { ScoreSums } from './forecast/backtest.js';
export type { ColStats } from './forecast/windows.js';
export type { WasmArena } from './kernels/wasm/arena.js';
export type { WasmVariant } from './kernels/wasm/index.js';

// Phone recognition from audio with a deep bidirectional LSTM and CTC (see docs/speech.md).
// Browser-safe: WAV bytes, features, the model, training and decoding. Files are read at the Node
// edge (src/cli/commands/speech.ts, scripts/speech/).
export { readWav, writeWav, type WavAudio } from './wav.js';
export { resample } from './resample.js';
export { LogMel, DEFAULT_LOGMEL, melFilterbank, deltas, normalizeUtterance, stackFrames, stackedLength, speechInput, type LogMelOptions, type ResolvedLogMelOptions } from './features.js';
export { PHONES, NUM_CLASSES, IPA_TO_PHONES, ipaSegmentToPhones, ipaToPhones, phonesToIds, idsToPhones } from './phones.js';
export { ACCENTS, HELDOUT_VARIANTS, fnv1a, textSplit, lincolnChunks, activePower, mixAtSnr } from './corpus.js';
export { speechSetToBytes, speechSetFromBytes, type SpeechSet, type SpeechUtterance } from './data.js';
export { buildSpeechModel, speechExtra, speechConfigFromExtra, type SpeechModelOptions, type SpeechExtra } from './model.js';
export {
  recognize, recognizeLogMel, predictSpeechIds, evaluateSpeech, makeSpeechBatch, bestPathRuns, editCounts,
  type SpeechRecognition, type TimedPhone, type SpeechDecodeOptions, type SpeechEvaluation, type SpeechBatch,
} from './infer.js';
export { trainSpeech, type SpeechTrainOptions, type SpeechTrainResult, type SpeechEpochLog, type SpeechBatchLog } from './train.js';

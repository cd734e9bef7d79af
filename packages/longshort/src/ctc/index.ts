// Everything CTC in one module: the loss (src/losses/ctc.ts), the decoders and the error-rate
// metrics. The package entry re-exports this file.

export { ctcLoss } from '../losses/ctc.js';
export type { CtcLossOptions, CtcLossResult, CtcReduction, Labels } from '../losses/ctc.js';
export { greedyDecode, beamSearchDecode } from './decode.js';
export type { DecodeResult, GreedyDecodeOptions, BeamSearchOptions, BeamSearchResult } from './decode.js';
export { editDistance, labelErrorRate, sequenceErrorRate, wordErrorRate } from './metrics.js';
export type { Sequence } from './metrics.js';
export { Lexicon, lexiconBeamSearchDecode } from './lexicon.js';
export type { LexiconDecodeOptions, LexiconDecodeResult } from './lexicon.js';
export { NgramLM } from './lm.js';
export type { NgramJSON } from './lm.js';
export { fusedBeamSearch, LabelTrie } from './fusion.js';
export type { LabelScorer, FusedBeamOptions, FusedHypothesis } from './fusion.js';
export { ctcForcedAlign } from './align.js';
export type { CtcAlignment } from './align.js';

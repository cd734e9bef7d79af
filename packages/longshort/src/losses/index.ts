// Every loss in one module: pointwise regression losses, softmax cross-entropy, binary
// cross-entropy on logits. Each returns the loss and dLoss/dprediction in one call; see
// docs/training-math.md for the formulas as implemented. CTC (src/losses/ctc.ts) is exported from
// src/ctc/index.ts with its decoders, not here, so the package entry exports ctcLoss only once.

export { mseLoss, maeLoss, huberLoss } from './regression.js';
export type { RegressionLossOptions, HuberLossOptions } from './regression.js';
export { softmaxCrossEntropy } from './crossEntropy.js';
export type { CrossEntropyOptions } from './crossEntropy.js';
export { bceWithLogits } from './bce.js';
export type { BceWithLogitsOptions } from './bce.js';
export type { LossResult, BaseLossOptions, Reduction } from './common.js';
export { pinballLoss } from './quantile.js';
export type { PinballLossOptions } from './quantile.js';
export { gaussianNllLoss, negativeBinomialNllLoss, gaussianSigma, negBinParams } from './distribution.js';
export type { GaussianNllOptions, NegativeBinomialNllOptions } from './distribution.js';

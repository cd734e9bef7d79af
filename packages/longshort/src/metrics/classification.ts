// Classification measures over integer class labels 0..K−1: accuracy, the confusion matrix
// (rows = true class, columns = predicted class) and per-class precision, recall and F1.
// A ratio whose denominator is 0 (a class never predicted, or never present) is reported as 0,
// as scikit-learn does with zero_division=0; `support` tells such classes apart.
// Left out: probabilistic scores (log-loss, ROC AUC), multi-label targets.

import { ConfigError, ShapeError } from '../errors.js';

type Labels = ArrayLike<number>;

function checkLabels(where: string, yTrue: Labels, yPred: Labels, numClasses?: number): number {
  if (yTrue.length !== yPred.length) {
    throw new ShapeError(`[${where}] yTrue and yPred must have the same length; received ${yTrue.length} and ${yPred.length}.`);
  }
  if (yTrue.length === 0) throw new ShapeError(`[${where}] needs at least one label; received empty arrays.`);
  let maxLabel = -1;
  for (const [name, y] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < y.length; i++) {
      const v = y[i];
      if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
        throw new ConfigError(
          `[${where}] ${name}[${i}] must be an integer class label in [0, ${numClasses ?? '∞'}); received ${v}.` +
            (numClasses !== undefined && Number.isInteger(v) && v >= numClasses ? ` Hint: numClasses is ${numClasses}; pass a larger one if there are more classes.` : ''),
        );
      }
      if (v > maxLabel) maxLabel = v;
    }
  }
  return numClasses ?? maxLabel + 1;
}

/**
 * Fraction of labels predicted right, in [0, 1]. Labels are integer class ids ≥ 0; arrays of
 * different or zero length throw ShapeError, a label that is not such an id ConfigError.
 */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkLabels('accuracy', yTrue, yPred);
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** K×K counts, m[trueClass][predictedClass]. K = numClasses, or 1 + the largest label seen. */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number): number[][] {
  const K = checkLabels('confusionMatrix', yTrue, yPred, numClasses);
  const m = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Scores of one class; a ratio with a zero denominator is 0 (scikit-learn's zero_division=0). */
export interface ClassScores {
  /** Of the samples predicted as the class, the fraction that belong to it. */
  precision: number;
  /** Of the samples of the class, the fraction predicted as it. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** How many samples truly belong to the class. */
  support: number;
}

/** What classificationReport() returns. */
export interface ClassificationReport {
  /** Fraction of labels predicted right. */
  accuracy: number;
  /** Scores of class k at index k. */
  perClass: ClassScores[];
  /** Unweighted means over classes. */
  macro: { precision: number; recall: number; f1: number };
  /** K×K counts, confusion[trueClass][predictedClass]. */
  confusion: number[][];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Accuracy, per-class precision, recall, F1 and support, their macro means and the confusion
 * matrix. K = numClasses, or 1 + the largest label seen. Errors as in accuracy().
 */
export function classificationReport(yTrue: Labels, yPred: Labels, numClasses?: number): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const K = confusion.length;
  const perClass: ClassScores[] = [];
  let diag = 0;
  for (let k = 0; k < K; k++) {
    const tp = confusion[k][k];
    diag += tp;
    let predicted = 0; // column sum
    let actual = 0; // row sum
    for (let j = 0; j < K; j++) {
      predicted += confusion[j][k];
      actual += confusion[k][j];
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, actual);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: actual });
  }
  const mean = (f: (c: ClassScores) => number): number => perClass.reduce((s, c) => s + f(c), 0) / K;
  return {
    accuracy: diag / yTrue.length,
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    confusion,
  };
}

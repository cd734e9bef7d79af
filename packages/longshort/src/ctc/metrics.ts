// Error rates for sequence outputs: Levenshtein edit distance and the rates built on it —
// label error rate (PER for phonemes, CER for characters), word error rate, sequence error rate.
// Corpus-level rates divide TOTAL edits by TOTAL reference length (the usual convention, so
// long references weigh more), not the mean of per-sequence rates.
// Left out: alignment back-traces (which edits were substitutions, insertions or deletions).

import { ConfigError, ShapeError } from '../errors.js';

/** A sequence the error rates compare: a string (by UTF-16 code unit), or an array of label ids or tokens (by `===`). */
export type Sequence = string | ArrayLike<number> | readonly (string | number)[];

/**
 * Levenshtein distance: the fewest insertions, deletions and substitutions (each cost 1) that turn
 * `a` into `b`. Strings compare by UTF-16 code unit, arrays by `===`. Memory O(min(|a|, |b|)).
 */
export function editDistance(a: Sequence, b: Sequence): number {
  // keep the shorter sequence along the row, so the row buffer is the small one
  if (a.length < b.length) [a, b] = [b, a];
  const n = b.length;
  if (n === 0) return a.length;
  const row = new Int32Array(n + 1); // row[j] = distance(a[0..i), b[0..j))
  for (let j = 0; j <= n; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    let diag = row[0]; // distance(a[0..i-1), b[0..j-1))
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const up = row[j]; // distance(a[0..i-1), b[0..j))
      const sub = diag + (ai === b[j - 1] ? 0 : 1);
      const del = up + 1;
      const ins = row[j - 1] + 1;
      row[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      diag = up;
    }
  }
  return row[n];
}

/**
 * Total edit distance over all pairs divided by the total reference length: PER when the labels
 * are phonemes, CER when they are characters. Throws when the references hold no labels at all.
 */
export function labelErrorRate(hyps: readonly Sequence[], refs: readonly Sequence[]): number {
  checkPairs('labelErrorRate', hyps, refs);
  let edits = 0;
  let total = 0;
  for (let i = 0; i < refs.length; i++) {
    edits += editDistance(hyps[i], refs[i]);
    total += refs[i].length;
  }
  if (total === 0) {
    throw new ConfigError(
      `[labelErrorRate] refs must hold at least one label in total; received ${refs.length} empty references. ` +
        'Hint: the rate is edits / reference labels, undefined for empty references; use sequenceErrorRate instead.',
    );
  }
  return edits / total;
}

/** Fraction of pairs where the hypothesis is not exactly the reference (for words: word error rate of a G2P model). */
export function sequenceErrorRate(hyps: readonly Sequence[], refs: readonly Sequence[]): number {
  checkPairs('sequenceErrorRate', hyps, refs);
  if (refs.length === 0) throw new ConfigError('[sequenceErrorRate] refs must not be empty; received 0 pairs.');
  let wrong = 0;
  for (let i = 0; i < refs.length; i++) if (editDistance(hyps[i], refs[i]) !== 0) wrong++;
  return wrong / refs.length;
}

/**
 * Word error rate: words are the whitespace-separated tokens of each string (so extra spaces do
 * not count); total word edits / total reference words. Single strings or arrays of strings.
 */
export function wordErrorRate(hyps: string | readonly string[], refs: string | readonly string[]): number {
  const h = typeof hyps === 'string' ? [hyps] : hyps;
  const r = typeof refs === 'string' ? [refs] : refs;
  checkPairs('wordErrorRate', h, r);
  const words = (s: string): string[] => {
    if (typeof s !== 'string') throw new ConfigError(`[wordErrorRate] expected strings; received ${typeof s}.`);
    const w = s.trim();
    return w === '' ? [] : w.split(/\s+/u);
  };
  let edits = 0;
  let total = 0;
  for (let i = 0; i < r.length; i++) {
    const rw = words(r[i]);
    edits += editDistance(words(h[i]), rw);
    total += rw.length;
  }
  if (total === 0) {
    throw new ConfigError(`[wordErrorRate] refs must hold at least one word in total; received ${r.length} blank references.`);
  }
  return edits / total;
}

function checkPairs(where: string, hyps: readonly unknown[], refs: readonly unknown[]): void {
  if (!Array.isArray(hyps) || !Array.isArray(refs)) {
    throw new ConfigError(`[${where}] hyps and refs must be arrays of sequences; received ${typeof hyps} and ${typeof refs}.`);
  }
  if (hyps.length !== refs.length) {
    throw new ShapeError(`[${where}] hyps and refs must pair up one to one; received ${hyps.length} hyps and ${refs.length} refs.`);
  }
}

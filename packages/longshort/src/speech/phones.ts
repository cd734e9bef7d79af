// The phone set of the speech models and the mapping from espeak-ng's IPA output to it.
// Browser-safe; the corpus generator (scripts/speech/generate.ts) uses it to label audio, the
// decoders to print phones.
//
// Phone set: the 39 phones TIMIT is scored with (Lee and Hon 1989, folded from TIMIT's 61 labels:
// ao→aa, ax/ax-h→ah, axr→er, hv→hh, ix→ih, el→l, em→m, en/nx→n, eng→ng, zh→sh, ux→uw, closures
// and pauses→sil, q deleted) without `sil`: pauses are not labels here (CTC's blank covers silence),
// which leaves 38 phones, ids 1–38, with 0 the CTC blank.
//
// espeak-ng reports what it speaks as IPA segments (`espeak-ng --ipa --sep=' '`). Each segment, with
// the stress marks ˈ ˌ removed, maps to one or more phones by the table IPA_TO_PHONES, chosen by
// the sound espeak-ng makes (its accents differ: West Midlands says [ɔɪ] in "price", so that is
// `oy` there), not by the word's dictionary vowel:
//   - length marks do not change the phone (iː, i → iy; ɜː, ɜ, ɚ → er);
//   - r-coloured and centring diphthongs of the rhotic and non-rhotic accents become two phones
//     (ɪɹ → ih r, ɑːɹ → aa r, iə → ih ah, eə → eh ah), as TIMIT's transcribers wrote "year" y ih r;
//   - sounds TIMIT has no label for go to the nearest one: ʍ → w, x → k, ɬ → l, dental t̪ d̪ → t d,
//     rounded ʉ → uw, nasal ɑ̃ → aa; the glottal stop ʔ (TIMIT's q) is deleted.
// A segment outside the table is an error (the generator then stops and names it).
// docs/speech.md prints the table.

import { ConfigError } from '../errors.js';

/** The 38 phones in id order (id = index + 1; 0 is the CTC blank). */
export const PHONES: readonly string[] = [
  'iy', 'ih', 'eh', 'ey', 'ae', 'aa', 'aw', 'ay', 'ah', 'oy', 'ow', 'uh', 'uw', 'er',
  'l', 'r', 'w', 'y', 'm', 'n', 'ng', 'ch', 'jh', 'dh', 'b', 'd', 'dx', 'g', 'p', 't', 'k', 'z', 'v', 'f', 'th', 's', 'sh', 'hh',
];

/** Number of network outputs: 38 phones + the blank. */
export const NUM_CLASSES = PHONES.length + 1;

const ID = new Map(PHONES.map((p, i) => [p, i + 1]));

/** espeak-ng IPA segment (stress removed) → TIMIT-39 phones ([] = deleted). */
export const IPA_TO_PHONES: Readonly<Record<string, readonly string[]>> = {
  // monophthongs
  'iː': ['iy'], i: ['iy'], 'i:': ['iy'],
  'ɪ': ['ih'], 'ᵻ': ['ih'],
  e: ['ey'], 'eː': ['ey'],
  'ɛ': ['eh'],
  'æ': ['ae'], a: ['ae'],
  'aː': ['aa'], 'a:': ['aa'], 'a::': ['aa'], aa: ['aa'], 'ɑː': ['aa'], 'ɑ': ['aa'], 'ɑ̃': ['aa'], 'ɒ': ['aa'], 'ɒː': ['aa'], 'ɔː': ['aa'], 'ɔ': ['aa'],
  'ʌ': ['ah'], 'ə': ['ah'], 'ɐ': ['ah'],
  'ɜː': ['er'], 'ɜ': ['er'], 'ɚ': ['er'], 'əɹ': ['er'],
  'ʊ': ['uh'],
  'uː': ['uw'], u: ['uw'], 'ʉ': ['uw'], 'ʉː': ['uw'], 'əu': ['uw'],
  o: ['ow'], 'oː': ['ow'],
  // diphthongs
  'eɪ': ['ey'], ei: ['ey'], 'eʲ': ['ey'],
  'oʊ': ['ow'], 'əʊ': ['ow'], 'ʌʊ': ['ow'],
  'aɪ': ['ay'], 'əɪ': ['ay'],
  'ɔɪ': ['oy'], 'oɪ': ['oy'],
  'aʊ': ['aw'], 'æʊ': ['aw'], 'ʌʉ': ['aw'],
  // r-coloured vowels (rhotic accents)
  'ɑːɹ': ['aa', 'r'], 'ɑɹ': ['aa', 'r'], 'oːɹ': ['aa', 'r'], 'ɔːɹ': ['aa', 'r'], 'ɔɹ': ['aa', 'r'],
  'ɪɹ': ['ih', 'r'], 'ɛɹ': ['eh', 'r'], 'ʊɹ': ['uh', 'r'], 'ʌɹ': ['ah', 'r'], 'ʉɹ': ['uw', 'r'],
  'aɪɚ': ['ay', 'er'],
  // centring diphthongs (non-rhotic accents)
  'iə': ['ih', 'ah'], 'eə': ['eh', 'ah'], 'ɛə': ['eh', 'ah'], 'ʊə': ['uh', 'ah'],
  'ɔə': ['aa', 'ah'], 'ɑə': ['aa', 'ah'], 'oə': ['ow', 'ah'], 'aɪə': ['ay', 'ah'],
  // syllabic consonants (TIMIT el, en, em)
  'əl': ['l'], 'l̩': ['l'], 'n̩': ['n'], 'm̩': ['m'],
  // consonants
  p: ['p'], b: ['b'], t: ['t'], 't̪': ['t'], d: ['d'], 'd̪': ['d'], k: ['k'], 'ɡ': ['g'], g: ['g'], 'ɡʲ': ['g'], x: ['k'],
  'ɾ': ['dx'], 'ʔ': [],
  f: ['f'], v: ['v'], 'θ': ['th'], 'ð': ['dh'], s: ['s'], z: ['z'], 'ʃ': ['sh'], 'ʒ': ['sh'], h: ['hh'], 'ç': ['hh'],
  'tʃ': ['ch'], 'dʒ': ['jh'],
  m: ['m'], n: ['n'], 'nʲ': ['n'], 'ŋ': ['ng'],
  l: ['l'], 'ɫ': ['l'], 'ɬ': ['l'], 'ɹ': ['r'], r: ['r'], w: ['w'], 'ʍ': ['w'], j: ['y'],
};

/** Thrown (as ConfigError) when espeak-ng reports a segment the table does not cover. */
export function ipaSegmentToPhones(segment: string): readonly string[] {
  const s = segment.replace(/[ˈˌ]/g, '');
  const out = IPA_TO_PHONES[s];
  if (out === undefined) {
    throw new ConfigError(`[ipaToPhones] the IPA segment ${JSON.stringify(segment)} is not in the mapping table (src/speech/phones.ts IPA_TO_PHONES). Hint: add it with the TIMIT phone it sounds like.`);
  }
  return out;
}

/**
 * Phones of espeak-ng's `--ipa --sep=' '` output (one or more lines; words are separated by two
 * spaces, segments by one). Language-switch marks such as "(fr)" are an error: the speech is then
 * not English and the table does not apply.
 */
export function ipaToPhones(ipa: string): string[] {
  const out: string[] = [];
  for (const seg of ipa.split(/\s+/)) {
    if (seg === '') continue;
    if (/^\(.*\)$/.test(seg) || /[()]/.test(seg)) {
      throw new ConfigError(`[ipaToPhones] espeak-ng switched language (${JSON.stringify(seg)}); this text is not spoken as English. Hint: leave it out of the corpus.`);
    }
    out.push(...ipaSegmentToPhones(seg));
  }
  return out;
}

/** Phone names → ids 1..38. An unknown name is an error that lists the set. */
export function phonesToIds(phones: readonly string[]): number[] {
  return phones.map((p) => {
    const id = ID.get(p);
    if (id === undefined) throw new ConfigError(`[phonesToIds] '${p}' is not one of the ${PHONES.length} phones (${PHONES.join(' ')}).`);
    return id;
  });
}

/** Ids 1..38 → phone names. */
export function idsToPhones(ids: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let k = 0; k < ids.length; k++) {
    const p = PHONES[ids[k] - 1];
    if (p === undefined) throw new ConfigError(`[idsToPhones] phone ids are 1..${PHONES.length}; received ${ids[k]} at position ${k}.`);
    out.push(p);
  }
  return out;
}

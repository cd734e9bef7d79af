// The deterministic parts of the speech corpus, which need no espeak-ng or sox: the IPA → TIMIT-39
// mapping on lines espeak-ng 1.51 printed (copied from its output), the text split and chunking,
// the held-out voices, mixing at a signal-to-noise ratio, and the feature-set file format.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, FormatError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { IPA_TO_PHONES, PHONES, NUM_CLASSES, ipaToPhones, idsToPhones, phonesToIds } from '../../src/speech/phones.js';
import { ACCENTS, HELDOUT_VARIANTS, activePower, fnv1a, lincolnChunks, mixAtSnr, textSplit } from '../../src/speech/corpus.js';
import { speechSetFromBytes, speechSetToBytes } from '../../src/speech/data.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';

describe('phones', () => {
  test('38 TIMIT-39 phones without sil, ids 1..38, blank 0', () => {
    assert.equal(PHONES.length, 38);
    assert.equal(NUM_CLASSES, 39);
    assert.equal(new Set(PHONES).size, 38);
    assert.ok(!PHONES.includes('sil'));
    // the folded-away TIMIT labels are not in the set
    for (const gone of ['ao', 'ax', 'axr', 'hv', 'ix', 'el', 'em', 'en', 'nx', 'eng', 'zh', 'ux', 'q']) assert.ok(!PHONES.includes(gone), gone);
    assert.deepEqual(idsToPhones(phonesToIds(['sh', 'iy'])), ['sh', 'iy']);
    assert.throws(() => phonesToIds(['zh']), (e: Error) => e instanceof ConfigError && /'zh' is not one of the 38 phones/.test(e.message));
    assert.throws(() => idsToPhones([0]), /ids are 1\.\.38; received 0/);
  });

  test('every table entry maps to phones of the set', () => {
    for (const [seg, ps] of Object.entries(IPA_TO_PHONES)) for (const p of ps) assert.ok(PHONES.includes(p), `${seg} → ${p}`);
  });

  test('espeak-ng lines of three accents map as docs/speech.md says', () => {
    // espeak-ng -v en-us --ipa --sep=' ' "Four score and seven years ago"
    assert.deepEqual(ipaToPhones('f ˈoːɹ  s k ˈoːɹ    æ n d  s ˈɛ v ə n  j ˈɪɹ z  ɐ ɡ ˈoʊ').join(' '), 'f aa r s k aa r ae n d s eh v ah n y ih r z ah g ow');
    // -v en-gb-x-rp "the restaurant": non-rhotic, centring diphthong → two phones
    assert.deepEqual(ipaToPhones('ð ə  j ˈiə z').join(' '), 'dh ah y ih ah z');
    // -v en-029 "car father": Caribbean START vowel ɑə; dental t̪ → t
    assert.deepEqual(ipaToPhones('k ˈɑə  f ˈɑː d a\nt̪ ˈɪ ŋ k').join(' '), 'k aa ah f aa d ae t ih ng k');
    // glottal stop deleted (TIMIT q), flap → dx, syllabic n → n
    assert.deepEqual(ipaToPhones('b ˈʌ ʔ n̩  b ˈʌ ɾ ɚ').join(' '), 'b ah n b ah dx er');
  });

  test('unknown segments and language switches are errors that say what to do', () => {
    assert.throws(() => ipaToPhones('k ʀ a'), (e: Error) => e instanceof ConfigError && /"ʀ" is not in the mapping table/.test(e.message));
    assert.throws(() => ipaToPhones('(fr) b ɔ̃ ʒ u ʀ (en)'), /switched language/);
  });
});

describe('corpus pieces', () => {
  test('FNV-1a and the text split are fixed functions of the text', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
    const words = Array.from({ length: 5000 }, (_, k) => `word${k}`);
    const test = words.filter((w) => textSplit(w) === 'test').length;
    assert.ok(test > 400 && test < 600, `${test} of 5000 in test`);
    assert.equal(textSplit('Fellow-Citizens of the Senate'), textSplit('Fellow-Citizens of the Senate'));
  });

  test('held-out voices: twelve variants, six female and six male, disjoint from nothing else', () => {
    assert.equal(HELDOUT_VARIANTS.length, 12);
    assert.equal(new Set(HELDOUT_VARIANTS).size, 12);
    assert.equal(ACCENTS.length, 8);
  });

  test('lincolnChunks: 4–14 words, never across a sentence end, seeded', () => {
    const text = readFileSync(new URL('../../../../data/lincoln-annual-messages-1861-1864.txt', import.meta.url), 'utf8');
    const a = lincolnChunks(text, new Rng(0));
    const b = lincolnChunks(text, new Rng(0));
    assert.deepEqual(a, b);
    assert.ok(a.length > 2500 && a.length < 4000, `${a.length} chunks`);
    for (const c of a) {
      const n = c.split(' ').length;
      // a sentence shorter than 4 words stays whole; a short tail joins its neighbour (≤ 14 + 3)
      assert.ok(n >= 1 && n <= 17, `${n} words: ${c}`);
      assert.ok(!/[.!?;:] /.test(c), `crosses a sentence end: ${c}`);
    }
    assert.equal(a[0], a[0].trim());
    assert.ok(a[0].startsWith('Fellow-Citizens of the Senate'));
    assert.notDeepEqual(lincolnChunks(text, new Rng(1)).slice(0, 20), a.slice(0, 20));
  });

  test('mixAtSnr: the noise sits exactly snr dB under the active speech power; peak 0.9', () => {
    const rng = new Rng(5);
    // 0.5 s silence, 1 s "speech", 0.5 s silence
    const clean = Float32Array.from({ length: 32000 }, (_, n) => (n >= 8000 && n < 24000 ? 0.3 * Math.sin(n / 5) * (1 + 0.5 * Math.sin(n / 900)) : 0));
    const noise = Float32Array.from({ length: 40000 }, () => rng.normal(0, 0.2));
    const ps = activePower(clean);
    // the silent half does not dilute the speech power
    let plain = 0;
    for (let n = 8000; n < 24000; n++) plain += clean[n] * clean[n];
    assert.ok(Math.abs(ps / (plain / 16000) - 1) < 0.02, `${ps} vs ${plain / 16000}`);
    for (const snr of [0, 10, 20]) {
      const y = mixAtSnr(clean, noise, snr);
      let peak = 0;
      for (const v of y) peak = Math.max(peak, Math.abs(v));
      assert.ok(Math.abs(peak - 0.9) < 1e-6);
      // undo the peak scaling using a silent stretch: there y is s·g·noise
      let num = 0;
      let den = 0;
      for (let n = 0; n < 8000; n++) {
        num += y[n] * noise[n];
        den += noise[n] * noise[n];
      }
      const sg = num / den; // s·g
      const s = y[10000] === 0 ? 1 : (y[10000] - sg * noise[10000]) / clean[10000];
      let pn = 0;
      for (let n = 0; n < 32000; n++) pn += noise[n] * noise[n];
      pn /= 32000;
      const measured = 10 * Math.log10((s * s * ps) / (sg * sg * pn));
      assert.ok(Math.abs(measured - snr) < 0.01, `snr ${snr}: measured ${measured}`);
    }
    assert.throws(() => mixAtSnr(clean, noise.subarray(0, 10), 10), /at least clean\.length = 32000/);
  });
});

describe('feature-set files', () => {
  const set = {
    nMels: 3,
    utterances: [
      { id: 'a', logmel: Float32Array.from([1, 2, 3, 4, 5, 6]), frames: 2, phones: Int32Array.from([1, 38]), info: { voice: 'x' } },
      { id: 'b', logmel: Float32Array.from([7, 8, 9]), frames: 1, phones: Int32Array.from([5]), info: {} },
    ],
  };

  test('round trip', () => {
    const back = speechSetFromBytes(speechSetToBytes(set));
    assert.equal(back.nMels, 3);
    assert.deepEqual(back.utterances.map((u) => [u.id, u.frames, Array.from(u.logmel), Array.from(u.phones), u.info]), [
      ['a', 2, [1, 2, 3, 4, 5, 6], [1, 38], { voice: 'x' }],
      ['b', 1, [7, 8, 9], [5], {}],
    ]);
  });

  test('malformed sets are FormatErrors', () => {
    const bad = (bytes: Uint8Array, re: RegExp) => assert.throws(() => speechSetFromBytes(bytes), (e: Error) => e instanceof FormatError && re.test(e.message), re.source);
    bad(encodeSafetensors([{ name: 'w', shape: [1], data: new Float32Array(1) }]), /no 'speech' metadata/);
    const meta = (m: unknown, tensors = [{ name: 'logmel', shape: [1, 3], data: new Float32Array(3) }, { name: 'frames', shape: [1], data: Float32Array.from([1]) }, { name: 'phones', shape: [1], data: Float32Array.from([39]) }, { name: 'nphones', shape: [1], data: Float32Array.from([1]) }]) =>
      encodeSafetensors(tensors, { speech: JSON.stringify(m) });
    bad(meta({ version: 2 }), /version: 1/);
    bad(meta({ version: 1, nMels: 3, phones: ['a'], utterances: [] }), /phone set/);
    bad(meta({ version: 1, nMels: 3, phones: PHONES, utterances: [{ id: 'x' }] }), /phone ids must be 1\.\.38; received 39/);
    bad(meta({ version: 1, nMels: 3, phones: PHONES, utterances: [{ id: 'x' }, { id: 'y' }] }), /2 utterances in the metadata, frames has 1/);
    assert.throws(() => speechSetToBytes({ nMels: 4, utterances: set.utterances }), /frames·nMels = 2·4 = 8 values; received 6/);
  });
});

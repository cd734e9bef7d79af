// Turns the generated corpus (scripts/speech/generate.ts) into feature sets for training and
// evaluation: every WAV goes through the library's log-mel front end (src/speech/features.ts)
// and lands, with its phones, in one safetensors file per split (src/speech/data.ts):
//   train.safetensors        training voices, SNR 0–30 dB or clean
//   test.safetensors         held-out voices at 10 dB SNR
//   test-clean.safetensors   the same held-out speech without noise
// The committed subset is cut from these by scripts/speech/subset.ts.
//
// Run once after the generator (needs only Node; about 7 minutes for the default corpus):
//   node --import tsx scripts/speech/pack.ts --corpus /work/scratch/speech/corpus

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '../../packages/longshort/src/speech/wav.js';
import { LogMel } from '../../packages/longshort/src/speech/features.js';
import { phonesToIds } from '../../packages/longshort/src/speech/phones.js';
import { speechSetToBytes, type SpeechUtterance } from '../../packages/longshort/src/speech/data.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const corpus = arg('corpus', '/work/scratch/speech/corpus');

interface Entry { id: string; split: 'train' | 'test'; phones: string[]; [k: string]: unknown }
const entries = readFileSync(join(corpus, 'manifest.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Entry);
entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const lm = new LogMel();

function utterance(e: Entry, file: string, snr: number | null): SpeechUtterance {
  const wav = readWav(new Uint8Array(readFileSync(join(corpus, 'wav', file))));
  if (wav.sampleRate !== 16000) throw new Error(`${file}: ${wav.sampleRate} Hz, expected 16000`);
  const logmel = lm.compute(wav.samples);
  const { id, phones, ipa: _ipa, offset: _offset, ...info } = e;
  return { id, logmel, frames: lm.frameCount(wav.samples.length), phones: Int32Array.from(phonesToIds(phones)), info: { ...info, snr, phones: phones.join(' ') } };
}

const sets: Record<string, SpeechUtterance[]> = { train: [], test: [], 'test-clean': [] };
let k = 0;
for (const e of entries) {
  if (e.split === 'train') sets.train.push(utterance(e, `${e.id}.wav`, e.snr as number | null));
  else {
    sets.test.push(utterance(e, `${e.id}.wav`, e.snr as number));
    sets['test-clean'].push(utterance(e, `${e.id}.clean.wav`, null));
  }
  if (++k % 1000 === 0) console.error(`${k}/${entries.length}`);
}
for (const [name, us] of Object.entries(sets)) {
  const frames = us.reduce((s, u) => s + u.frames, 0);
  writeFileSync(join(corpus, `${name}.safetensors`), speechSetToBytes({ nMels: 40, utterances: us }));
  console.error(`${name}: ${us.length} utterances, ${(frames / 100 / 3600).toFixed(2)} h`);
}

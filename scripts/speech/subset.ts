// Cuts the small committed subset out of the packed corpus (scripts/speech/pack.ts), so that the
// tests and `longshort speech eval` run without espeak-ng, sox or the 1 GB of generated audio:
//   data/speech/heldout-10db.safetensors   the first --heldout utterances of test.safetensors
//                                          (held-out voices, unseen text, 10 dB SNR), by id
//   data/speech/train-sample.safetensors   the --train shortest of the first 400 training utterances
//                                          (for the quick learning test)
//   data/speech/heldout-1.wav, heldout-1.json, heldout-2.wav, heldout-2.json
//                                          two short held-out recordings (WAV, 16-bit) and their phones,
//                                          for `speech transcribe` and the browser test
// Run once after pack.ts:
//   node --import tsx scripts/speech/subset.ts --corpus /work/scratch/speech/corpus [--heldout 50] [--train 24]

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { speechSetFromBytes, speechSetToBytes } from '../../packages/longshort/src/speech/data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const corpus = arg('corpus', '/work/scratch/speech/corpus');
const nHeldout = Number(arg('heldout', '50'));
const nTrain = Number(arg('train', '24'));
const out = join(root, 'data', 'speech');
mkdirSync(out, { recursive: true });

const read = (name: string) => speechSetFromBytes(new Uint8Array(readFileSync(join(corpus, `${name}.safetensors`))));
const test = read('test');
const heldout = test.utterances.slice(0, nHeldout);
writeFileSync(join(out, 'heldout-10db.safetensors'), speechSetToBytes({ nMels: test.nMels, utterances: heldout }));
const train = read('train');
const sample = train.utterances.slice(0, 400).sort((a, b) => a.frames - b.frames).slice(0, nTrain);
writeFileSync(join(out, 'train-sample.safetensors'), speechSetToBytes({ nMels: train.nMels, utterances: sample }));

// two short held-out Lincoln sentences (not word lists), as recorded: 10 dB SNR
const short = heldout.filter((u) => String(u.info.text).includes(' ') && !String(u.info.text).includes(',') && u.frames < 400).slice(0, 2);
short.forEach((u, k) => {
  copyFileSync(join(corpus, 'wav', `${u.id}.wav`), join(out, `heldout-${k + 1}.wav`));
  const { text, accent, variant, rate, pitch, gap, snr, reverb, noise } = u.info;
  writeFileSync(join(out, `heldout-${k + 1}.json`), JSON.stringify({ id: u.id, text, accent, variant, rate, pitch, gap, snr, reverb, noise, phones: String(u.info.phones).split(' ') }, null, 1) + '\n');
});
const mb = (n: number) => (n / 1e6).toFixed(2);
console.error(`heldout-10db: ${heldout.length} utterances, ${heldout.reduce((s, u) => s + u.phones.length, 0)} phones, ${mb(heldout.reduce((s, u) => s + u.logmel.byteLength, 0))} MB of features`);
console.error(`train-sample: ${sample.length} utterances; WAVs: ${short.map((u) => `${u.id} (${(u.frames / 100).toFixed(1)} s, ${u.info.variant}, ${u.info.accent})`).join(', ')}`);

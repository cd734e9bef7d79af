// `longshort experiment` from the command line: the --json report's shape, the files --out writes,
// and the option errors (the experiments themselves are tested in the library's test/experiments/).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/helpers.js';

interface RunJson {
  model: string;
  seed: number;
  solved: boolean;
  trainingSequences: number;
  testErrors: number;
  testSequences: number;
  testLoss: number;
  seconds: number;
  curve: { sequences: number; testErrors: number; testLoss: number }[];
}

describe('longshort experiment (CLI)', () => {
  test('--json prints one object with per-seed trainingSequences, testErrors, testSequences, seconds; --out writes the files', async () => {
    const dir = tempDir('longshort-exp-');
    const r = await cli(['experiment', 'adding', '--size', 'tiny', '--seeds', '1', '--models', 'lstm', '--json', '--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { experiment: string; runs: RunJson[]; files: string[] };
    assert.equal(j.experiment, 'adding');
    assert.equal(j.runs.length, 1);
    assert.deepEqual(Object.keys(j.runs[0]).filter((k) => ['trainingSequences', 'testErrors', 'testSequences', 'seconds'].includes(k)).sort(), ['seconds', 'testErrors', 'testSequences', 'trainingSequences']);
    for (const f of ['results.json', 'results.md', 'adding-curve.svg']) assert.ok(existsSync(join(dir, f)), f);
    assert.match(readFileSync(join(dir, 'adding-curve.svg'), 'utf8'), /^<svg/);
    assert.match(readFileSync(join(dir, 'results.md'), 'utf8'), /Machine time: \d+ s/);
  });

  test('bad options give one clear error line', async () => {
    let r = await cli(['experiment', 'adding', '--size', 'tiny', '--models', 'gru']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--models must list names from lstm, lstm-forget, elman; received 'gru'/);
    r = await cli(['experiment', 'gates', '--length', '50']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--length, --models and --max-sequences apply to adding and temporal-order, not gates/);
    r = await cli(['experiment', 'parity']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /must be one of adding, temporal-order, gates; received 'parity'/);
  });
});

// The command line's paper cuts (issue #20), one test each: convert keeps what a model file holds
// besides the weights and makes the output folder; g2p train saves without --out; inspect names a
// file that is no model; train and predict have shipped example data; "1 epoch"; --units beyond the
// model's size is said, not clamped silently; the gates help states one default per kind of model;
// a finished resumed run removes its checkpoint; --threads measures and says when one thread is faster.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { cli, child, tempDir, writeTemp, PKG, REPO } from './helpers.js';
import { loadModelFile, saveModel, Sequential, LSTM, Dense } from 'longshort';
import { register as registerG2p } from '../../src/cli/commands/g2p.js';

const ACTIVITY = join(REPO, 'data/activity.jsonl');
const CO2 = join(REPO, 'data/co2-concentration.csv');

/** A small forecast model (with its application data: scalers, config) in `dir`. */
async function forecastModel(dir: string): Promise<string> {
  const out = join(dir, 'co2');
  const r = await cli(['forecast', CO2, '--target', 'CO2', '--date', 'Date', '--missing', 'interpolate', '--horizon', '6', '--epochs', '1', '--hidden', '4', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return join(out, 'model.safetensors');
}

describe('longshort convert keeps the application data and makes the output folder', () => {
  test('longshort → longshort into a new folder, and in place: the extra survives and the model still works with gates', async () => {
    const dir = tempDir();
    const model = await forecastModel(dir);
    const before = await loadModelFile(model);
    assert.equal(before.extra.app, 'forecast');
    const nested = join(dir, 'new', 'deeper', 'copy.safetensors');
    const r = await cli(['convert', model, nested, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).extra.includes('scaling'));
    assert.deepEqual((await loadModelFile(nested)).extra, before.extra);
    // in place: the same file, the same application data
    const again = await cli(['convert', nested, nested]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /kept its application data \(app 'forecast': /);
    assert.deepEqual((await loadModelFile(nested)).extra, before.extra);
    const g = await cli(['gates', nested, '--input', CO2, '--out', join(dir, 'gates'), '--json']);
    assert.equal(g.code, 0, g.stderr); // gates reads the forecast scalers from the extra
  });

  test('to ONNX: a note on what stays behind; over the input file itself: refused, the file unchanged', async () => {
    const dir = tempDir();
    const model = await forecastModel(dir);
    const bytes = readFileSync(model);
    const r = await cli(['convert', model, join(dir, 'onnx', 'm.onnx')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: .*m\.onnx has the weights only; the application data of .* \(app 'forecast': .*\) has no place in onnx files/);
    const over = await cli(['convert', model, model, '--to', 'pytorch']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /^error: writing pytorch over '.*model\.safetensors' would lose what the file keeps besides the weights \(app 'forecast': .*\)/);
    assert.deepEqual(readFileSync(model), bytes);
  });
});

describe('longshort inspect on a file that is no model', () => {
  test('CSV, JSON Lines, an empty file and JSON named .onnx: one line naming the file and what it starts with', async () => {
    const dir = tempDir();
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['series.csv', 'Date,CO2\n1958-03-01,315.7\n', /starts with the text "Date,CO2\\n1958-03-01,315\.…"/],
      ['runs.jsonl', '{"sequence": [[1]], "label": "a"}\n', /starts with the text "\{\\"sequence\\": \[\[1\]\], \\"lab…"/],
      ['empty.safetensors', '', /starts with nothing \(the file is empty\)/],
      ['model.onnx', '{"format": "layers-model"}', /starts with the text/],
      ['noise.bin', new Uint8Array([0xff, 0xfe, 0, 1, 2, 3, 4, 5, 6, 7]), /starts with the bytes ff fe 00 01 02 03 04 05…/],
    ];
    for (const [name, body, re] of cases) {
      const p = join(dir, name);
      writeFileSync(p, body);
      const r = await cli(['inspect', p]);
      assert.equal(r.code, 1, name);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^error: '.*${name.replace('.', '\\.')}' is not a model file longshort can read: it is neither safetensors .* nor ONNX`));
      assert.match(r.stderr, re, name);
      assert.doesNotMatch(r.stderr, /protobuf (wire|field)|opset/i, 'no talk of ONNX internals');
    }
  });
});

describe('longshort train / predict: example data ships with the package', () => {
  test('data/activity.jsonl and activity-new.jsonl are in the package, and the help uses them', async () => {
    for (const f of ['activity.jsonl', 'activity-new.jsonl']) {
      assert.ok(existsSync(join(PKG, 'data', f)), `packages/longshort-cli/data/${f} (copied by scripts/copy-data.mjs)`);
      assert.deepEqual(readFileSync(join(PKG, 'data', f)), readFileSync(join(REPO, 'data', f)));
    }
    const t = await cli(['train', '--help']);
    assert.match(t.stdout, /Example .*:\n  longshort train \S*activity\.jsonl /);
    assert.doesNotMatch(t.stdout, /activity\.jsonl' is not/);
    const p = await cli(['predict', '--help']);
    assert.match(p.stdout, /&& longshort predict out\/activity\/model\.safetensors \S*activity-new\.jsonl/);
  });
});

describe('longshort gates: --units and --index', () => {
  const dir = tempDir();
  const model = new Sequential([new LSTM({ inputSize: 2, hiddenSize: 3, seed: 4 }), new Dense({ inputSize: 3, outputSize: 1, seed: 5 })]);
  const steps = writeTemp(dir, 'steps.csv', 'a,b\n0.5,-1\n1.5,0.25\n-0.75,2\n');

  test('--units beyond the hidden size: all units, and a note saying so', async () => {
    await saveModel(join(dir, 'm.safetensors'), model);
    const r = await cli(['gates', join(dir, 'm.safetensors'), '--input', steps, '--units', '500', '--out', join(dir, 'g'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: --units 500 is more than the model's 3 hidden units; showing all 3\.$/m);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.units, [0, 1, 2]);
    assert.equal(j.unitsAsked, 500);
    const fine = await cli(['gates', join(dir, 'm.safetensors'), '--input', steps, '--units', '2', '--out', join(dir, 'g2')]);
    assert.doesNotMatch(fine.stderr, /note: --units/);
  });

  test('the help states one default for --index per kind of model, and commander adds none', async () => {
    const r = await cli(['gates', '--help']);
    const line = r.stdout.split('\n  -').find((l) => l.startsWith('-index'))!.replace(/\s+/g, ' ');
    assert.doesNotMatch(line, /\(default: 0\)/, 'no default from commander');
    assert.equal(line.match(/default/g)?.length, 2, line);
    assert.match(line, /train models: which sequence \(default 0, the first\); forecast models: the row the window ends before \(default: the end of the data\)/);
  });
});

describe('longshort g2p train: saves without --out, and says "1 epoch"', () => {
  test('no --out: the model goes to out/g2p/model.safetensors, and the output names it', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const out: string[] = [];
      const err: string[] = [];
      const program = new Command().exitOverride();
      registerG2p(program, { out: (t) => out.push(t), err: (t) => err.push(t) });
      await program.parseAsync(['g2p', 'train', '--hidden', '4', '--layers', '1', '--embed', '4', '--epochs', '1', '--limit', '32', '--test-limit', '10', '--val-limit', '0'], { from: 'user' });
      assert.ok(existsSync(join(dir, 'out', 'g2p', 'model.safetensors')));
      assert.match(err.join(''), /saving to out\/g2p\/model\.safetensors/);
      assert.match(out.join(''), /\(1 epoch, stopped by epochs\); model: out\/g2p\/model\.safetensors\n$/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('a finished resumed run removes its checkpoint', () => {
  test('train: Ctrl-C leaves a checkpoint; --resume finishes, writes the model and removes it', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const args = ['train', ACTIVITY, '--hidden', '8', '--epochs', '30', '--seed', '1', '--out', out];
    let sent = false;
    const a = await child(args, (line, kill) => {
      if (!sent && /^epoch 1\/30/.test(line)) {
        sent = true;
        kill('SIGINT');
      }
    });
    assert.equal(a.code, 130, a.stderr);
    assert.deepEqual(readdirSync(out), ['checkpoint.safetensors']);
    const r = await cli([...args, '--resume', join(out, 'checkpoint.safetensors'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out), ['model.safetensors']);
  });

  test('a fresh run into a folder with an old checkpoint removes it too (it would only repeat finished work)', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    mkdirSync(out);
    writeFileSync(join(out, 'checkpoint.safetensors'), 'stale');
    const r = await cli(['train', ACTIVITY, '--hidden', '4', '--epochs', '1', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /removed .*checkpoint\.safetensors: the run it was for has finished/);
    assert.deepEqual(readdirSync(out), ['model.safetensors']);
  });
});

describe('--threads: measured against one thread', () => {
  const numbers = (s: string): { threads: number; n: number; one: number } => {
    const m = /one batch took (\d+\.\d+) ms on (\d+) threads, (\d+\.\d+) ms on 1/.exec(s);
    assert.ok(m, s);
    return { n: Number(m[1]), threads: Number(m[2]), one: Number(m[3]) };
  };

  test('--threads 2 on a small problem: the times are shown, with a note whenever one thread was faster', async () => {
    const r = await cli(['train', ACTIVITY, '--hidden', '4', '--epochs', '1', '--threads', '2', '--out', join(tempDir(), 'a')]);
    assert.equal(r.code, 0, r.stderr);
    const t = numbers(r.stderr);
    // the times print rounded to 0.01 ms: when they print equal, either message is right
    const noted = /note: --threads 2 is slower than 1 thread on this problem \(.*\): a batch holds too little work to share\. Training goes on with 2 as asked; --threads 1 \(or auto\) will be faster\./.test(r.stderr);
    if (t.one < t.n) assert.ok(noted, r.stderr);
    else if (t.one > t.n) assert.match(r.stderr, /^threads: one batch took/m);
    else assert.ok(noted || /^threads: one batch took/m.test(r.stderr), r.stderr);
  });

  test('--threads auto keeps the faster of the two it measured; bad values are named', async () => {
    const r = await cli(['text', 'train', join(REPO, 'data/lincoln-annual-messages-1861-1864.txt'), '--chars', '3000', '--hidden', '8', '--epochs', '1', '--threads', 'auto', '--out', join(tempDir(), 't')]);
    assert.equal(r.code, 0, r.stderr);
    if (availableParallelism() === 1) {
      assert.match(r.stderr, /threads: auto → 1 \(one core\)/);
      return;
    }
    const m = /threads: auto → (\d+) \(/.exec(r.stderr);
    assert.ok(m, r.stderr);
    const t = numbers(r.stderr);
    if (t.n !== t.one) assert.equal(Number(m[1]), t.n < t.one ? t.threads : 1); // printed equal (rounded): either
    for (const bad of ['0', 'two', '1.5']) {
      const b = await cli(['train', ACTIVITY, '--threads', bad]);
      assert.equal(b.code, 1);
      assert.match(b.stderr, new RegExp(`--threads must be a whole number >= 1 or auto; received '${bad.replace('.', '\\.')}'`));
    }
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, child, REPO, tempDir, writeTemp } from './helpers.js';
import { loadModelFile, Rng } from 'longshort';

const CO2 = join(REPO, 'data/co2-concentration.csv');

/** A monthly series with a trend, a yearly cycle and noise. */
function seriesCsv(T: number, seed = 3): string {
  const rng = new Rng(seed);
  const lines = ['date,v,w'];
  for (let t = 0; t < T; t++) {
    const d = new Date(Date.UTC(2000, t, 1)).toISOString().slice(0, 10);
    lines.push(`${d},${(20 + 0.1 * t + 2 * Math.sin((2 * Math.PI * t) / 12) + 0.2 * rng.normal()).toFixed(4)},${rng.normal().toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

describe('longshort forecast on CO2 (quality bar)', () => {
  test('24-month forecast: MASE < 1 and below the seasonal-naive MASE; files written', async () => {
    const out = tempDir();
    const r = await cli(['forecast', CO2, '--target', 'CO2', '--date', 'Date', '--horizon', '24', '--missing', 'interpolate', '--epochs', '20', '--hidden', '16', '--seed', '0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const { model, naive, seasonalNaive } = j.metrics;
    for (const m of [model, naive, seasonalNaive]) for (const k of ['mae', 'rmse', 'smape', 'mase']) assert.ok(Number.isFinite(m[k]), k);
    assert.equal(j.season, 12);
    assert.ok(model.mase < 1, `model MASE ${model.mase}`);
    assert.ok(model.mase < seasonalNaive.mase, `model ${model.mase} vs seasonal naive ${seasonalNaive.mase}`);
    assert.ok(model.mase < naive.mase);
    assert.deepEqual(j.heldOut, { from: '2018-05', to: '2020-04' });
    // the model file keeps the scalers fitted on the training part, and reloads
    const f = await loadModelFile(join(out, 'model.safetensors'));
    assert.equal((f.extra as { app: string }).app, 'forecast');
    assert.equal((f.extra as { inputScaler: { kind: string } }).inputScaler.kind, 'standard');
    // the CSV: 24 held-out rows with truth, then 24 future rows beyond the data's end
    const csv = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'Date,part,actual,forecast,naive,seasonal_naive');
    assert.equal(csv.length, 1 + 24 + 24);
    assert.match(csv[1], /^2018-05-01,test,411\.3,/);
    assert.match(csv[25], /^2020-05-01,future,,\d/);
    assert.match(readFileSync(join(out, 'forecast.svg'), 'utf8'), /^<svg/);
    assert.deepEqual([...readFileSync(join(out, 'forecast.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    // stdout is exactly one JSON object; progress went to stderr
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, /"event":"epoch","epoch":20/);
  });

  test('the table (without --json) lists the model and both baselines', async () => {
    const out = tempDir();
    const r = await cli(['forecast', CO2, '--target', 'CO2', '--date', 'Date', '--horizon', '12', '--missing', 'interpolate', '--epochs', '2', '--hidden', '8', '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /MAE\s+RMSE\s+sMAPE %\s+MASE/);
    assert.match(r.stdout, /model \(LSTM\)\s+[\d.]+/);
    assert.match(r.stdout, /naive \(last value\)\s+2\.\d+/);
    assert.match(r.stdout, /seasonal naive \(m = 12\)/);
    assert.equal(r.stderr, '');
  });
});

describe('longshort forecast: bad input is one clear line, exit 1, nothing written', () => {
  const dir = tempDir();
  const good = writeTemp(dir, 'good.csv', seriesCsv(60));
  const cases: [string, string[], RegExp][] = [
    ['missing file', ['nope.csv', '--target', 'v'], /^error: cannot read the data file 'nope\.csv': no such file/],
    ['missing column', [good, '--target', 'V'], /^error: \[csv\] no column 'V'; columns are: date, v, w\. Hint: did you mean 'v'\?/],
    ['missing feature column', [good, '--target', 'v', '--features', 'w,x'], /no column 'x'; columns are: date, v, w/],
    ['malformed CSV', [writeTemp(dir, 'ragged.csv', 'date,v\n2000-01-01,1\n2000-02-01,2,3\n'), '--target', 'v'], /^error: \[csv\] line 3 has 3 fields; expected 2/],
    ['non-numeric target', [writeTemp(dir, 'text.csv', 'date,v\n2000-01-01,1\n2000-02-01,abc\n'), '--target', 'v'], /^error: \[csv\] row 3, column 'v': expected a number; received "abc"/],
    [
      'missing values under the default policy',
      [writeTemp(dir, 'gaps.csv', seriesCsv(60).replace(/(2000-04-01,)[^,]+/, '$1').replace(/(2001-01-01,)[^,]+/, '$1NA')), '--target', 'v'],
      /^error: \[csv\] column 'v' has 2 missing values, first at row 5\. Hint: pass --missing ffill\|interpolate\|drop/,
    ],
    ['horizon too large', [good, '--target', 'v', '--horizon', '30', '--season', '12'], /needed; received 60 rows\. Hint: use a smaller --horizon or --lookback/],
    ['bad --horizon', [good, '--target', 'v', '--horizon', '0'], /error: option '--horizon <n>' argument '0' is invalid\. --horizon must be an integer >= 1; received '0'\./],
    ['bad --missing', [good, '--target', 'v', '--missing', 'zero'], /--missing must be one of error, drop, ffill, interpolate; received 'zero'/],
  ];
  for (const [name, args, re] of cases) {
    test(name, async () => {
      const out = join(dir, `out-${name.replace(/\W+/g, '-')}`);
      const full = ['forecast', ...args, '--out', out, '--epochs', '1'];
      if (!args.includes('--horizon')) full.push('--horizon', '6');
      const r = await cli(full);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help'));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], re);
      assert.equal(existsSync(out), false, 'no output folder for a failed run');
    });
  }
});

describe('longshort forecast: Ctrl-C saves a checkpoint, --resume continues exactly', () => {
  test('interrupted + resumed run = uninterrupted run (weights and metrics)', async () => {
    const dir = tempDir();
    const data = writeTemp(dir, 'series.csv', seriesCsv(160));
    const args = (out: string): string[] => ['forecast', data, '--target', 'v', '--features', 'w', '--date', 'date', '--horizon', '6', '--lookback', '12', '--epochs', '40', '--hidden', '6', '--seed', '7', '--out', out, '--json'];
    const full = join(dir, 'full');
    const cut = join(dir, 'cut');
    let sent = false;
    const [a, b] = await Promise.all([
      child(args(full)),
      child(args(cut), (line, kill) => {
        if (!sent && line.includes('"epoch":3,')) {
          sent = true;
          kill('SIGINT');
        }
      }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 130, b.stderr);
    assert.equal(b.stdout, '');
    assert.match(b.stderr, /interrupted: saved a checkpoint after epoch \d+ of 40 to .*checkpoint\.safetensors/);
    assert.match(b.stderr, /resume with:\n  longshort forecast .* --resume .*checkpoint\.safetensors/);
    assert.equal(existsSync(join(cut, 'model.safetensors')), false);
    assert.deepEqual(readdirSync(cut), ['checkpoint.safetensors']); // atomic write: no temp files left
    const ck = await loadModelFile(join(cut, 'checkpoint.safetensors'));
    const stoppedAt = ck.training?.epoch ?? 0;
    assert.ok(stoppedAt >= 3 && stoppedAt < 40, `stopped after epoch ${stoppedAt}`);

    const c = await child([...args(cut), '--resume', join(cut, 'checkpoint.safetensors')]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, new RegExp(`resuming from .* after epoch ${stoppedAt} of 40`));
    assert.doesNotMatch(c.stderr, /note: the checkpoint was written with kernels/); // same kernels → exact
    const ma = await loadModelFile(join(full, 'model.safetensors'));
    const mc = await loadModelFile(join(cut, 'model.safetensors'));
    for (const p of ma.model.params()) {
      assert.deepEqual(mc.model.param(p.name).value, p.value, p.name);
    }
    assert.deepEqual(JSON.parse(c.stdout).metrics, JSON.parse(a.stdout).metrics);
  });
});

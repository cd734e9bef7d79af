import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, child, REPO, tempDir, writeTemp } from './helpers.js';
import { loadModelFile, Rng } from 'longshort';

const CO2 = join(REPO, 'data/co2-concentration.csv');
const UNEMPLOYMENT = join(REPO, 'data/unemployment-across-industries.csv');
const METHODS = ['model', 'naive', 'seasonalNaive', 'drift', 'seasonalNaiveDrift', 'holtWinters'];

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

/** Long layout: 3 stores with a promotion column (future-known) and a size (static). */
function storesCsv(T: number, from = 0): string {
  const rng = new Rng(5);
  const lines = ['store,month,sales,promo,size'];
  for (const [s, size] of [['a', 1], ['b', 2], ['c', 3]] as const) {
    for (let t = from; t < from + T; t++) {
      const promo = t % 5 === 0 ? 1 : 0;
      const d = new Date(Date.UTC(2015, t, 1)).toISOString().slice(0, 7);
      lines.push(`${s},${d},${(10 * size + 3 * promo + Math.sin(t / 2) + 0.3 * rng.normal()).toFixed(3)},${promo},${size}`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('longshort forecast on CO2 (quality bar)', () => {
  test('24-month forecast: MASE < 1 and below seasonal naive and naive; every baseline reported; files written', async () => {
    const out = tempDir();
    const r = await cli(['forecast', CO2, '--target', 'CO2', '--date', 'Date', '--horizon', '24', '--missing', 'interpolate', '--epochs', '12', '--hidden', '16', '--seed', '0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j.overall), METHODS);
    for (const m of METHODS) for (const k of ['mae', 'rmse', 'smape', 'mase', 'wql', 'crps']) assert.ok(Number.isFinite(j.overall[m][k]), `${m} ${k}`);
    const model = j.overall.model;
    assert.equal(j.options.season, 12);
    assert.ok(model.mase < 1, `model MASE ${model.mase}`);
    assert.ok(model.mase < j.overall.seasonalNaive.mase && model.mase < j.overall.naive.mase);
    assert.ok(model.coverage['95'] >= model.coverage['80']);
    assert.equal(j.bestBaseline, 'holtWinters');
    assert.match(j.comparison, /^model mean MASE \d\.\d{3} vs the best baseline, Holt-Winters \(m = 12\), \d\.\d{3} \(/);
    assert.deepEqual([j.folds[0].from, j.folds[0].to], ['2018-05', '2020-04']);
    assert.equal(j.future[0].dates[0], '2020-05');
    assert.equal(j.future[0].forecast.length, 24);
    assert.ok(j.future[0].intervals['80'].lower.every((v: number, k: number) => v <= j.future[0].forecast[k] && j.future[0].forecast[k] <= j.future[0].intervals['80'].upper[k]));
    // the model file reloads, with the options and the scaling in its extra
    const f = await loadModelFile(join(out, 'model.safetensors'));
    const extra = f.extra as { app: string; version: number; options: { horizon: number }; scaling: { scale: number[] } };
    assert.equal(extra.app, 'forecast');
    assert.equal(extra.version, 2);
    assert.equal(extra.options.horizon, 24);
    assert.equal(extra.scaling.scale.length, 1);
    // the CSV: 24 held-out rows with truth, then 24 future rows beyond the data's end
    const csv = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'Date,part,fold,actual,forecast,lo80,hi80,lo95,hi95,naive,seasonal_naive,drift,seasonal_naive_drift,holt_winters');
    assert.equal(csv.length, 1 + 24 + 24);
    assert.match(csv[1], /^2018-05-01,test,1,411\.3,/);
    assert.match(csv[25], /^2020-05-01,future,,,\d/);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).overall.model.mase, model.mase);
    assert.match(readFileSync(join(out, 'forecast.svg'), 'utf8'), /^<svg/);
    assert.deepEqual([...readFileSync(join(out, 'forecast.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    // stdout is exactly one JSON object; progress went to stderr as JSON lines
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, /"event":"fold","fold":1,"folds":1,"stage":"model"/);
    assert.match(r.stderr, /"event":"epoch","epoch":12/);
  });

  test('the table (without --json) lists the model, all five baselines and the comparison with the best', async () => {
    const out = tempDir();
    const r = await cli(['forecast', CO2, '--target', 'CO2', '--date', 'Date', '--horizon', '12', '--missing', 'interpolate', '--epochs', '1', '--hidden', '4', '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /MAE\s+RMSE\s+sMAPE %\s+MASE\s+cover 80%\s+cover 95%\s+wQL/);
    for (const row of [/model \(LSTM\)\s+[\d.]+/, /naive \(last value\)\s+[\d.]+/, /seasonal naive \(m = 12\)/, /drift\s+[\d.]+/, /seasonal naive \+ drift \(m = 12\)/, /Holt-Winters \(m = 12\)/]) assert.match(r.stdout, row);
    assert.match(r.stdout, /model mean MASE [\d.]+ vs the best baseline, Holt-Winters \(m = 12\), [\d.]+ \([\d.]+% (lower: the model wins|higher: the baseline wins)\)/);
    assert.equal(r.stderr, '');
  });
});

describe('longshort forecast: many series', () => {
  test('long layout, 2 backtest folds: per-fold, per-series and overall scores; 14 future forecasts', async () => {
    const out = tempDir();
    const r = await cli(['forecast', UNEMPLOYMENT, '--id', 'series', '--date', 'date', '--target', 'count', '--horizon', '12', '--backtest', '2', '--epochs', '1', '--hidden', '4', '--lookback', '12', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.series, 14);
    assert.equal(j.layout, 'long');
    assert.deepEqual(j.folds.map((f: { from: string; to: string; scored: number }) => [f.from, f.to, f.scored]), [['2008-03', '2009-02', 14], ['2009-03', '2010-02', 14]]);
    assert.equal(j.perSeries.length, 14);
    assert.equal(j.perSeries[0].id, 'Government');
    assert.ok(METHODS.includes(j.bestBaseline) && j.bestBaseline !== 'model');
    assert.equal(j.future.length, 14);
    assert.equal(j.future[13].id, 'Self-employed');
    assert.equal(j.future[13].dates[0], '2010-03');
    const csv = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0].split(',').slice(0, 4).join(','), 'series,date,part,fold');
    assert.equal(csv.length, 1 + 14 * 2 * 12 + 14 * 12);
    assert.match(r.stderr, /"event":"fold","fold":2,"folds":2/);
  });

  test('negative-binomial head on the counts writes sample paths; wide layout reads one column per series', async () => {
    const out = tempDir();
    const r = await cli(['forecast', UNEMPLOYMENT, '--id', 'series', '--date', 'date', '--target', 'count', '--horizon', '6', '--head', 'negbin', '--samples', '50', '--epochs', '1', '--hidden', '4', '--lookback', '12', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const samples = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n');
    assert.equal(samples[0], 'series,date,sample,value');
    assert.equal(samples.length, 1 + 14 * 50 * 6);
    assert.ok(samples.slice(1).every((l) => Number.isInteger(Number(l.split(',').at(-1)))));
    const dir = tempDir();
    const wide = writeTemp(dir, 'wide.csv', 'date,x,y,z\n' + Array.from({ length: 40 }, (_, t) => `${new Date(Date.UTC(2001, t, 1)).toISOString().slice(0, 10)},${t % 7},${(t * 3) % 11},${t % 5}`).join('\n') + '\n');
    const w = await cli(['forecast', wide, '--wide', '*', '--date', 'date', '--horizon', '4', '--season', '1', '--epochs', '1', '--hidden', '4', '--out', join(dir, 'o'), '--json']);
    assert.equal(w.code, 0, w.stderr);
    assert.deepEqual(JSON.parse(w.stdout).future.map((f: { id: string }) => f.id), ['x', 'y', 'z']);
  });

  test('future-known and static covariates: the future file supplies the horizon, and is checked', async () => {
    const dir = tempDir();
    const data = writeTemp(dir, 'stores.csv', storesCsv(36));
    const future = writeTemp(dir, 'future.csv', storesCsv(3, 36).split('\n').map((l) => l.split(',').slice(0, 2).concat(l.split(',')[3] ?? []).join(',')).join('\n'));
    const args = ['forecast', data, '--id', 'store', '--date', 'month', '--target', 'sales', '--future-known', 'promo', '--static', 'size', '--horizon', '3', '--season', '1', '--epochs', '1', '--hidden', '4', '--json'];
    const ok = await cli([...args, '--future-file', future, '--out', join(dir, 'ok')]);
    assert.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout);
    assert.ok(j.inputs.includes('future: promo') && j.inputs.includes('static: size'), j.inputs.join(', '));
    const short = writeTemp(dir, 'short.csv', readFileSync(future, 'utf8').trim().split('\n').filter((l) => !l.startsWith('b,2018-03')).join('\n') + '\n');
    const bad = await cli([...args, '--future-file', short, '--out', join(dir, 'bad')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: \[forecast\] future-known column 'promo' needs values for the 3 months after the end of series 'b' \(2018-01 … 2018-03\); the future table has no row for 2018-03\./);
    assert.equal(existsSync(join(dir, 'bad')), false);
    const none = await cli([...args, '--out', join(dir, 'none')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /needs their values for the 3 steps after the end of every series|needs its values|need.? their values/);
  });

  test('--search prints the grid scored on folds before the evaluated ones, then backtests the chosen options', async () => {
    const out = tempDir();
    const r = await cli(['forecast', UNEMPLOYMENT, '--id', 'series', '--date', 'date', '--target', 'count', '--horizon', '12', '--backtest', '2', '--search', '--grid', 'hidden=4,6', '--epochs', '1', '--lookback', '12', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.search.rows.length, 2);
    assert.equal(j.search.removed, 24); // the two evaluated folds are never searched on
    assert.deepEqual(j.search.rows.map((x: { hidden: number }) => x.hidden), [4, 6]);
    assert.equal(j.options.hidden, j.search.rows[j.search.best].hidden);
    assert.match(r.stderr, /"event":"candidate","candidate":2,"of":2/);
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
    ['horizon too large', [good, '--target', 'v', '--horizon', '30', '--season', '12'], /too short for 1 fold of horizon 30 with stride 30: the first fold would train on 30 points .*at least horizon \+ 2 = 32/],
    ['too many folds', [good, '--target', 'v', '--backtest', '9'], /too short for 9 folds of horizon 6/],
    ['bad --horizon', [good, '--target', 'v', '--horizon', '0'], /error: option '--horizon <n>' argument '0' is invalid\. --horizon must be an integer >= 1; received '0'\./],
    ['bad --missing', [good, '--target', 'v', '--missing', 'zero'], /--missing must be one of error, drop, ffill, interpolate; received 'zero'/],
    ['no target', [good], /required option '--target <column>' not specified \(or pass --wide/],
    ['negative counts for negbin', [writeTemp(dir, 'neg.csv', seriesCsv(60).replace(/(2000-03-01,)[^,]+/, '$1-4')), '--target', 'v', '--head', 'negbin'], /negative-binomial head models counts ≥ 0, but series 'v' has -4 at point 3/],
    ['id and wide', [good, '--target', 'v', '--id', 'w', '--wide', 'v'], /pass either an id column \(long layout\) or wide columns, not both/],
    ['sliding without size', [good, '--target', 'v', '--window', 'sliding'], /a sliding window needs --train-size/],
    ['bad grid', [good, '--target', 'v', '--search', '--grid', 'depth=3'], /--grid can vary lookback, hidden, layers, lr; received 'depth'/],
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
  test('interrupted in the second fold + resumed = uninterrupted (weights, metrics, forecasts)', async () => {
    const dir = tempDir();
    const data = writeTemp(dir, 'series.csv', seriesCsv(160));
    // many short epochs: the signal must land while the run is still training, and an epoch here takes ~2 ms on a fast host
    const args = (out: string): string[] => ['forecast', data, '--target', 'v', '--features', 'w', '--date', 'date', '--horizon', '6', '--lookback', '12', '--backtest', '2', '--epochs', '150', '--hidden', '6', '--seed', '7', '--out', out, '--json'];
    const full = join(dir, 'full');
    const cut = join(dir, 'cut');
    let inFold2 = false;
    let sent = false;
    const [a, b] = await Promise.all([
      child(args(full)),
      child(args(cut), (line, kill) => {
        if (line.includes('"fold":2')) inFold2 = true;
        if (inFold2 && !sent && line.includes('"epoch":3,')) {
          sent = true;
          kill('SIGINT');
        }
      }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 130, b.stderr);
    assert.equal(b.stdout, '');
    assert.match(b.stderr, /interrupted: saved a checkpoint after epoch \d+ of 150 \(fold 2 of 2\) to .*checkpoint\.safetensors/);
    assert.match(b.stderr, /resume with:\n  longshort forecast .* --resume .*checkpoint\.safetensors/);
    assert.equal(existsSync(join(cut, 'model.safetensors')), false);
    assert.deepEqual(readdirSync(cut), ['checkpoint.safetensors']); // atomic write: no temp files left
    const ck = await loadModelFile(join(cut, 'checkpoint.safetensors'));
    const stoppedAt = ck.training?.epoch ?? 0;
    assert.ok(stoppedAt >= 3 && stoppedAt < 150, `stopped after epoch ${stoppedAt}`);
    assert.equal((ck.extra as { done: unknown[] }).done.length, 1);

    const c = await child([...args(cut), '--resume', join(cut, 'checkpoint.safetensors')]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, new RegExp(`resuming from .*: 1 fold done, fold 2 after epoch ${stoppedAt} of 150`));
    assert.doesNotMatch(c.stderr, /note: the checkpoint was written with kernels/); // same kernels → exact
    const ma = await loadModelFile(join(full, 'model.safetensors'));
    const mc = await loadModelFile(join(cut, 'model.safetensors'));
    for (const p of ma.model.params()) assert.deepEqual(mc.model.param(p.name).value, p.value, p.name);
    const ja = JSON.parse(a.stdout);
    const jc = JSON.parse(c.stdout);
    assert.deepEqual(jc.overall, ja.overall);
    assert.deepEqual(jc.folds, ja.folds);
    assert.deepEqual(jc.future, ja.future);
  });
});

describe('longshort forecast: an ensemble with conformal intervals resumes exactly too', () => {
  test('interrupted in the second member\'s model run (after its calibration run) + resumed = uninterrupted', async () => {
    const dir = tempDir();
    const data = writeTemp(dir, 'series.csv', seriesCsv(100));
    // many short epochs: the signal must land while the run is still training, and an epoch here takes ~2 ms on a fast host
    const args = (out: string): string[] => ['forecast', data, '--target', 'v', '--date', 'date', '--horizon', '6', '--lookback', '12', '--ensemble', '2', '--conformal', '--epochs', '150', '--hidden', '4', '--seed', '3', '--out', out, '--json'];
    const full = join(dir, 'full');
    const cut = join(dir, 'cut');
    let armed = false;
    let sent = false;
    const [a, b] = await Promise.all([
      child(args(full)),
      child(args(cut), (line, kill) => {
        if (line.includes('"stage":"model","member":2')) armed = true;
        if (armed && !sent && line.includes('"epoch":2,')) {
          sent = true;
          kill('SIGINT');
        }
      }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 130, b.stderr);
    assert.match(b.stderr, /interrupted: saved a checkpoint after epoch \d+ of 150 \(fold 1 of 1, member 2 of 2\)/);
    const c = await child([...args(cut), '--resume', join(cut, 'checkpoint.safetensors')]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, /resuming from .*: 0 folds done, fold 1, member 2 of 2 after epoch \d+ of 150/);
    const ma = await loadModelFile(join(full, 'model.safetensors'));
    const mc = await loadModelFile(join(cut, 'model.safetensors'));
    assert.ok(ma.model.params().some((p) => p.name === 'lstm_1.weight_ih_l0'), 'both members in the file');
    for (const p of ma.model.params()) assert.deepEqual(mc.model.param(p.name).value, p.value, p.name);
    const ja = JSON.parse(a.stdout);
    const jc = JSON.parse(c.stdout);
    assert.deepEqual(jc.overall, ja.overall);
    assert.deepEqual(jc.future, ja.future);
    assert.equal(ja.calibration.length, 2);
  });
});

describe('longshort gates on a forecast model', () => {
  test('the heatmap of the window the future forecast reads', async () => {
    const dir = tempDir();
    const data = writeTemp(dir, 'series.csv', seriesCsv(60));
    const m = await cli(['forecast', data, '--target', 'v', '--date', 'date', '--horizon', '6', '--lookback', '12', '--epochs', '1', '--hidden', '4', '--out', join(dir, 'm'), '--quiet']);
    assert.equal(m.code, 0, m.stderr);
    const g = await cli(['gates', join(dir, 'm', 'model.safetensors'), '--input', data, '--units', '3', '--out', join(dir, 'g'), '--json']);
    assert.equal(g.code, 0, g.stderr);
    const j = JSON.parse(g.stdout);
    assert.equal(j.steps, 18); // 12 history steps and the 6 forecast steps
    assert.ok(existsSync(join(dir, 'g', 'gates.svg')));
  });
});

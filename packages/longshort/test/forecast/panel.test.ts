// Reading panels: the long layout on the bundled unemployment data (14 monthly series), the wide
// layout with series that start and end at different dates, covariates of the three kinds, future
// rows and their errors, and the date helpers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../../src/data/csv.js';
import { addFutureRows, addSteps, detectStep, panelFromTable, timeAt } from '../../src/forecast/panel.js';
import { loadPanel } from '../../src/apps/forecast.js';

const UNEMPLOYMENT = readFileSync(new URL('../../../../data/unemployment-across-industries.csv', import.meta.url), 'utf8');
const CO2 = readFileSync(new URL('../../../../data/co2-concentration.csv', import.meta.url), 'utf8');

describe('panels', () => {
  test('long layout: unemployment across industries is 14 monthly series of 122 points', () => {
    const p = panelFromTable(parseCsv(UNEMPLOYMENT), { target: 'count', id: 'series', date: 'date' });
    assert.equal(p.layout, 'long');
    assert.equal(p.series.length, 14);
    assert.equal(p.step, 'month');
    assert.deepEqual(p.calendar, ['month']);
    for (const s of p.series) assert.equal(s.y.length, 122);
    const gov = p.series[0];
    assert.equal(gov.id, 'Government');
    assert.deepEqual(Array.from(gov.y.subarray(0, 3)), [430, 409, 311]);
    assert.equal(new Date(gov.times![121]).toISOString().slice(0, 7), '2010-02');
    const agri = p.series.find((s) => s.id === 'Agriculture')!;
    assert.equal(agri.y[121], 285);
  });

  test('single series: CO₂ with its five missing months interpolated (as before)', () => {
    const p = panelFromTable(parseCsv(CO2), { target: 'CO2', date: 'Date', missing: 'interpolate' });
    assert.equal(p.series.length, 1);
    assert.equal(p.series[0].y.length, 746);
    assert.equal(p.series[0].filled, 5);
    assert.ok(Math.abs(p.series[0].y[3] - (317.51 + 315.86) / 2) < 1e-9);
    assert.throws(() => panelFromTable(parseCsv(CO2), { target: 'CO2', date: 'Date' }), /column 'Date' skip 5 months, first after row 4 \(1958-05, next 1958-07\).*--missing interpolate/);
  });

  test('long layout sorts each series by date and names gaps per series', () => {
    const csv = 'id,d,v\nb,2020-02,5\na,2020-01,1\nb,2020-01,4\na,2020-02,2\na,2020-03,3\nb,2020-03,6\n';
    const p = panelFromTable(parseCsv(csv), { target: 'v', id: 'id', date: 'd' });
    assert.deepEqual(p.series.map((s) => s.id), ['b', 'a']);
    assert.deepEqual(Array.from(p.series[0].y), [4, 5, 6]);
    const gap = 'id,d,v\na,2020-01,1\na,2020-03,3\nb,2020-01,1\nb,2020-02,2\nb,2020-03,3\n';
    assert.throws(() => panelFromTable(parseCsv(gap), { target: 'v', id: 'id', date: 'd' }), /column 'd' of series 'a' skip 1 month, first after row 2 \(2020-01, next 2020-03\)/);
    const miss = 'id,d,v\na,2020-01,1\na,2020-02,\nb,2020-01,1\n';
    assert.throws(() => panelFromTable(parseCsv(miss), { target: 'v', id: 'id', date: 'd' }), /\[csv\] series 'a': column 'v' has 1 missing value, first at row 3/);
  });

  test('wide layout trims each column\'s leading and trailing blanks', () => {
    const csv = 'date,x,y\n2020-01-01,,1\n2020-01-02,2,2\n2020-01-03,3,3\n2020-01-04,4,\n';
    const p = panelFromTable(parseCsv(csv), { target: 'value', date: 'date', wide: ['x', 'y'] });
    assert.deepEqual(p.series.map((s) => [s.id, Array.from(s.y)]), [['x', [2, 3, 4]], ['y', [1, 2, 3]]]);
    assert.equal(p.step, 'day');
    assert.deepEqual(p.calendar, ['month', 'dayofweek']);
    assert.equal(new Date(p.series[0].times![0]).toISOString().slice(0, 10), '2020-01-02');
  });

  test('static covariates must be constant per series; columns may play one part only', () => {
    const csv = 'id,d,v,size\na,2020-01,1,3\na,2020-02,2,4\n';
    assert.throws(() => panelFromTable(parseCsv(csv), { target: 'v', id: 'id', date: 'd', static: ['size'] }), /static column 'size' must hold one value per series; series 'a' has 3 in row 2 and 4 in row 3/);
    assert.throws(() => panelFromTable(parseCsv(csv), { target: 'v', id: 'id', date: 'd', past: ['size'], static: ['size'] }), /column 'size' is named twice \(as a past covariate and as a static covariate\)/);
  });

  test('future rows: every series needs the horizon after its end; the error names series, columns and date', () => {
    const hist = 'id,d,v,promo\na,2020-01,1,0\na,2020-02,2,1\nb,2020-01,5,1\nb,2020-02,6,0\n';
    const fut = 'id,d,promo\na,2020-03,1\na,2020-04,0\nb,2020-03,1\n';
    const p = panelFromTable(parseCsv(hist), { target: 'v', id: 'id', date: 'd', future: ['promo'] });
    assert.throws(
      () => addFutureRows(p, parseCsv(fut), 2),
      /future-known column 'promo' needs values for the 2 months after the end of series 'b' \(2020-03 … 2020-04\); the future table has no row for 2020-04/,
    );
    const q = addFutureRows(p, parseCsv(fut + 'b,2020-04,1\n'), 2);
    assert.deepEqual(Array.from(q.series[1].future[0]), [1, 0, 1, 1]);
    assert.equal(q.futureSteps, 2);
    assert.throws(() => loadPanel(hist, { target: 'v', id: 'id', date: 'd', future: ['promo'] }, 2), /need.? their values for the 2 steps after the end of every series.*--future-file/);
  });

  test('date helpers: months roll over years; steps before the start; detection', () => {
    assert.equal(new Date(addSteps(Date.UTC(2019, 10, 1), 'month', 3)).toISOString().slice(0, 7), '2020-02');
    assert.equal(detectStep(Float64Array.from([0, 1, 2, 4], (m) => Date.UTC(2020, m, 1))), 'month');
    assert.equal(detectStep(Float64Array.from([0, 1, 2, 3, 5], (d) => Date.UTC(2020, 0, 1 + d))), 'day');
    assert.equal(detectStep(Float64Array.from([0, 1.5, 4, 9], (d) => Date.UTC(2020, 0, 1) + d * 86_400_000)), null);
    const p = panelFromTable(parseCsv('d,v\n2020-01,1\n2020-02,2\n'), { target: 'v', date: 'd' });
    assert.equal(new Date(timeAt(p.series[0], 'month', -2)).toISOString().slice(0, 7), '2019-11');
    assert.equal(new Date(timeAt(p.series[0], 'month', 4)).toISOString().slice(0, 7), '2020-05');
  });
});

describe('season of a panel', () => {
  test('unemployment across industries: 12, though half the series show no season on their own', async () => {
    const { detectPanelSeason } = await import('../../src/forecast/options.js');
    const p = panelFromTable(parseCsv(UNEMPLOYMENT), { target: 'count', id: 'series', date: 'date' });
    assert.equal(detectPanelSeason(p, 36), 12);
    const { Rng } = await import('../../src/util/rng.js');
    const rng = new Rng(2);
    const flat = panelFromTable(parseCsv('d,v\n' + Array.from({ length: 60 }, (_, t) => `${new Date(Date.UTC(2000, t, 1)).toISOString().slice(0, 7)},${rng.normal().toFixed(3)}`).join('\n')), { target: 'v', date: 'd' });
    assert.equal(detectPanelSeason(flat, 6), 1);
  });
});

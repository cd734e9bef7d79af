// Bundled by browser.test.ts; exercises the browser-safe data and metrics code paths.
import { parseCsv, numericColumn, dateColumn, makeWindows, StandardScaler } from '../../src/data/index.js';
import { mae } from '../../src/metrics/index.js';

export function run(): { rows: number; dates: number[]; mae: number; windows: number[] } {
  const t = parseCsv('month,"value, ppm"\n2020-01,1\n2020-02,2\n2020-03,NA\n');
  const v = numericColumn(t, 'value, ppm', { missing: 'ffill' });
  const scaled = new StandardScaler().fit([v]).transform([v])[0];
  const w = makeWindows([scaled], scaled, { lookback: 2, horizon: 1 });
  return { rows: t.rows.length, dates: Array.from(dateColumn(t, 'month')), mae: mae(v, [1.5, 2.5, 2.5]), windows: [...w.inputs.shape] };
}

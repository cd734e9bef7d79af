// Writes data/unemployment-across-industries.csv from vega-datasets' unemployment-across-industries.json
// (a dev dependency): one row per industry and month, in the long layout `longshort forecast --id`
// reads. Columns: series (the industry), date (YYYY-MM-01, from the record's year and month fields;
// the JSON's `date` carries a US-Pacific midnight as UTC, e.g. 2000-01-01T08:00:00.000Z, so it is
// not used), count (unemployed persons, thousands), rate (unemployment rate, %). Rows keep the
// JSON's order (industry by industry, months ascending). Values are copied unchanged.
// Rerun: node scripts/data/unemployment-csv.mjs   (then check `git diff data/`: it should be empty)
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const src = new URL('../../node_modules/vega-datasets/data/unemployment-across-industries.json', import.meta.url);
const bytes = readFileSync(src);
const records = JSON.parse(bytes.toString('utf8'));
const lines = ['series,date,count,rate'];
for (const r of records) {
  if (typeof r.series !== 'string' || !Number.isInteger(r.year) || !Number.isInteger(r.month) || !Number.isFinite(r.count) || !Number.isFinite(r.rate)) {
    throw new Error(`unexpected record ${JSON.stringify(r)}`);
  }
  const name = /[",]/.test(r.series) ? `"${r.series.replace(/"/g, '""')}"` : r.series;
  lines.push(`${name},${r.year}-${String(r.month).padStart(2, '0')}-01,${r.count},${r.rate}`);
}
const out = new URL('../../data/unemployment-across-industries.csv', import.meta.url);
writeFileSync(out, lines.join('\n') + '\n');
// The git blob hash, which vega-datasets' datapackage.json lists for each file.
const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
console.log(`${records.length} rows from git blob ${blob} (datapackage.json lists 4d769356c95c40a9807a7d048ab81aa56ae77df0)`);

// The bundled datasets are the unchanged copies that data/README.md describes: same git blob
// hashes as vega-datasets' datapackage.json lists, and the text has the stated size and alphabet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const read = (name: string): Buffer => readFileSync(new URL(`../../../../data/${name}`, import.meta.url));
const gitBlobSha1 = (b: Buffer): string => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

test('CSV files are byte-for-byte the vega-datasets 3.2.1 copies', () => {
  assert.equal(gitBlobSha1(read('co2-concentration.csv')), 'b8715cbd2a8d0c139020a73fdb4d231f8bde193a');
  assert.equal(gitBlobSha1(read('seattle-weather.csv')), '0f38b53bdc1c42c5e5d484f33b9d4d7b229e0e59');
});

test('the Lincoln text: 163,741 ASCII characters, 75 distinct, four addresses', () => {
  const text = read('lincoln-annual-messages-1861-1864.txt').toString('latin1');
  assert.equal(text.length, 163_741);
  assert.equal(new Set(text).size, 75);
  assert.ok(/^[\x20-\x7e\n]*$/.test(text), 'printable ASCII and newlines only');
  const addresses = text.split('\n').filter((l) => l !== '');
  assert.equal(addresses.length, 4);
  for (const a of addresses) assert.match(a.trim(), /^Fellow-Citizens of the Senate and House of Representatives:/);
  assert.ok(addresses[1].includes('the last best hope of earth'));
  assert.ok(read('README.md').toString('utf8').includes('public domain'));
});

test('unemployment-across-industries.csv holds exactly the records of vega-datasets 3.2.1\'s JSON', () => {
  const json = readFileSync(new URL('../../../../node_modules/vega-datasets/data/unemployment-across-industries.json', import.meta.url));
  assert.equal(gitBlobSha1(json), '4d769356c95c40a9807a7d048ab81aa56ae77df0'); // as datapackage.json lists it
  const records = JSON.parse(json.toString('utf8')) as { series: string; year: number; month: number; count: number; rate: number }[];
  const lines = read('unemployment-across-industries.csv').toString('utf8').trim().split('\n');
  assert.equal(lines[0], 'series,date,count,rate');
  assert.equal(lines.length - 1, records.length);
  assert.equal(records.length, 1708);
  records.forEach((r, k) => {
    assert.equal(lines[k + 1], `${r.series},${r.year}-${String(r.month).padStart(2, '0')}-01,${r.count},${r.rate}`, `row ${k + 2}`);
  });
  assert.ok(read('README.md').toString('utf8').includes('BLS.gov cannot vouch for the data'));
});

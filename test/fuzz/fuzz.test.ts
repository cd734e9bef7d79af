// A fixed-seed slice of the fuzz campaign (npm run fuzz): 3000 cases over every target, bounded by
// count. Every case must end in success or one of the library's errors, and no worker may die.
// The memory and time bounds are `npm run fuzz`'s to check (a test asserts no timings); here they
// are only printed.
// The targets run the built packages (packages/longshort/dist, packages/longshort-cli/dist), as users do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, report } from './main.js';

test('fuzz: 3000 seeded cases over the loaders, the data readers, the CLI and the API end in success or a library error', { timeout: 900_000 }, async () => {
  const run = await fuzz({ cases: 3000, seed: 20260315, jobs: 2, chunk: 1000 });
  console.log(report(run));
  for (const s of run.summaries) {
    assert.equal(s.crashes, 0, `${s.target}: a worker died: ${JSON.stringify(s.findings.filter((f) => f.label === 'crash'))}`);
    const findings = s.findings.filter((f) => f.status === 'other');
    assert.equal(findings.length, 0, `${s.target}: ${findings.map((f) => `case ${f.k} (${f.label}): ${f.error}`).join('\n')}`);
    assert.equal(s.other, 0, `${s.target}: ${s.other} exceptions that are not the library's`);
  }
  assert.equal(run.summaries.reduce((n, s) => n + s.cases, 0) >= 2990, true);
});

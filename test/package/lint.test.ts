// Packaging lints on both packages: publint (files, exports, entry points fit for publishing) and
// @arethetypeswrong/cli (the types that each export condition resolves to, under node10, node16 from
// CommonJS and from ESM, and bundlers), run on the packed tarballs. The library must pass every
// resolution; the command line is ESM only (its programmatic entry, runCli and the charts, is for
// import() from CommonJS), so it is checked with attw's esm-only profile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string): string => join(REPO, 'node_modules', '.bin', name);
const PACKAGES = ['longshort', 'longshort-cli'];
const ATTW_PROFILE: Record<string, string> = { longshort: 'strict', 'longshort-cli': 'esm-only' };
let work = '';
const tarballs: Record<string, string> = {};

before(() => {
  work = mkdtempSync(join(tmpdir(), 'longshort-lint-'));
  const args = ['pack', '--ignore-scripts', '--json', '--pack-destination', work, ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`])];
  for (const p of JSON.parse(execFileSync('npm', args, { cwd: REPO, encoding: 'utf8' })) as { name: string; filename: string }[]) tarballs[p.name] = join(work, p.filename);
});
after(() => rmSync(work, { recursive: true, force: true }));

for (const name of PACKAGES) {
  test(`publint --strict: ${name}`, () => {
    const r = spawnSync(bin('publint'), ['--strict', join(REPO, 'packages', name)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All good!/, r.stdout);
  });

  test(`are the types wrong (${ATTW_PROFILE[name]}): ${name}`, () => {
    const r = spawnSync(bin('attw'), [tarballs[name], '--format', 'ascii', '--profile', ATTW_PROFILE[name]], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    if (ATTW_PROFILE[name] === 'strict') assert.match(r.stdout, /No problems found/, r.stdout);
  });
}

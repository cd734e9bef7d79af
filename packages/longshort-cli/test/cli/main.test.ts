import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli, PKG } from './helpers.js';

describe('longshort (program)', () => {
  test('--help lists every command module found in src/cli/commands', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const c of ['forecast', 'train', 'predict', 'text', 'gates', 'info']) assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`), c);
  });

  test('unknown command and unknown option: exit 1 with a message', async () => {
    const a = await cli(['bogus']);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /^error: unknown command 'bogus'/);
    const b = await cli(['info', '--bogus']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /^error: unknown option '--bogus'/);
  });

  test('info --json: versions, kernels (selected and available), cores', async () => {
    const r = await cli(['info', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.node, process.versions.node);
    assert.match(j.longshort, /^\d+\.\d+\.\d+/);
    assert.ok(j.kernels.available.includes('ref'));
    assert.ok(j.kernels.available.includes(j.kernels.selected));
    assert.ok(Number.isInteger(j.cores) && j.cores >= 1);
    const ref = await cli(['--kernels', 'ref', 'info', '--json']);
    assert.equal(JSON.parse(ref.stdout).kernels.selected, 'ref');
  });

  test('bin/longshort.js runs from any working directory and passes the exit code through', () => {
    const ok = spawnSync(process.execPath, [join(PKG, 'bin/longshort.js'), 'info'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^longshort: \d+\.\d+\.\d+\nnode: +\d+/);
    assert.match(ok.stdout, /kernels: +(native|wasm|ref) selected; available: ref/);
    const bad = spawnSync(process.execPath, [join(PKG, 'bin/longshort.js'), 'forecast', 'missing.csv', '--target', 'y', '--horizon', '3'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^error: cannot read the data file 'missing\.csv': no such file \(working directory .*\)\. Hint: check the path\.\n$/);
  });
});

// Every program in examples/ runs as a user would run it (tsx, importing 'longshort' through the
// package's exports) and prints what its header promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** What each example's last line must say. */
const EXPECT: Record<string, (last: string) => void> = {
  'sine.ts': (last) => {
    const mse = Number(/final validation MSE ([\d.]+)/.exec(last)?.[1]);
    assert.ok(mse < 0.05, last); // far below the series variance (0.52)
  },
  'save-load.ts': (last) => {
    assert.match(last, /reloaded model predicts the same: true$/);
    assert.ok(Number(/best validation MSE ([\d.]+)/.exec(last)?.[1]) < 0.05, last);
  },
};

for (const file of readdirSync(new URL('../../examples/', import.meta.url)).filter((f) => f.endsWith('.ts')).sort()) {
  test(`examples/${file}`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${file}`], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const check = EXPECT[file];
    assert.ok(check !== undefined, `examples/${file} needs an expectation in test/examples/examples.test.ts`);
    check(r.stdout.trim().split('\n').at(-1)!);
  });
}

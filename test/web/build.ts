// Builds the pages (scripts/build-web.mjs: the demo, the handwriting, speech and G2P pages) for a
// browser test. Under scripts/run-tests.mjs the build ran once before the tests started
// (LONGSHORT_WEB_BUILT=1), so test files running side by side never write web/dist/ at the same time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function buildWeb(): void {
  if (process.env.LONGSHORT_WEB_BUILT === '1') return;
  const b = spawnSync(process.execPath, ['scripts/build-web.mjs'], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
}

// Runs every *.test.ts of the library (packages/longshort/test), the command line
// (packages/longshort-cli/test) and the repository (test/: browser pages, the packed packages)
// with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring ...]  — only files whose path contains a substring.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const roots = ['packages/longshort/test', 'packages/longshort-cli/test', 'test'];
const files = roots.flatMap(walk).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}
// The pages are built once, before browser tests that run side by side could each write web/dist/.
const env = { ...process.env };
if (files.some((f) => f.startsWith(join('test', 'web')))) {
  const b = spawnSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
  env.LONGSHORT_WEB_BUILT = '1';
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);

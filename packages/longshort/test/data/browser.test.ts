// The data and metrics modules must run in browsers: bundle them for the browser with esbuild
// (which fails on any Node built-in import) and run the bundle in a bare VM context that has no
// Buffer, process or require, then parse CSV and compute a metric in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';

test('src/data and src/metrics run without Node globals', async () => {
  const entry = fileURLToPath(new URL('./browser-entry.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'lib', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0].text;
  const context = vm.createContext({ console }); // no Buffer, no process, no require
  // Results come back as JSON: arrays from another realm fail deepStrictEqual's prototype check.
  assert.equal(vm.runInContext('typeof Buffer + typeof process + typeof require', context), 'undefinedundefinedundefined');
  vm.runInContext(code, context);
  const result = JSON.parse(vm.runInContext('JSON.stringify(lib.run())', context) as string) as { rows: number; dates: number[]; mae: number; windows: number[] };
  assert.equal(result.rows, 3);
  assert.deepEqual(result.dates, [Date.UTC(2020, 0, 1), Date.UTC(2020, 1, 1), Date.UTC(2020, 2, 1)]);
  assert.equal(result.mae, 0.5);
  assert.deepEqual(result.windows, [1, 2, 1]);
});

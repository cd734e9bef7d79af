// src/plot/index.ts must run in browsers: bundle it for the browser with esbuild (fails on Node
// built-ins) and render a chart in a VM context that has only globals browsers also have — no
// Buffer, process or require.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build } from 'esbuild';

test('charts render to SVG without Node globals', async () => {
  const entry = fileURLToPath(new URL('./browser-entry.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'lib', write: false, logLevel: 'silent' });
  const context = vm.createContext({ console, setTimeout, clearTimeout, structuredClone, TextEncoder, TextDecoder, URL });
  assert.equal(vm.runInContext('typeof Buffer + typeof process + typeof require', context), 'undefinedundefinedundefined');
  vm.runInContext(out.outputFiles[0].text, context);
  const svg = (await vm.runInContext('lib.run()', context)) as string;
  assert.ok(svg.startsWith('<svg'));
  const group = /<g class="mark-rect role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/.exec(svg);
  assert.ok(group, 'a rect mark group');
  assert.equal((group[1].match(/<path /g) ?? []).length, 2 * 3, 'rows × steps cells');
});

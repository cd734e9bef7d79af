// The browser-safe half of src/io must bundle for the browser with no Node built-ins, so the
// format code can load models in a web page; node.ts (fs, crypto, path) must stay out of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

test('src/io/index.ts bundles for platform=browser without any node: import', async () => {
  const entry = fileURLToPath(new URL('../../src/io/index.ts', import.meta.url));
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
  assert.equal(r.errors.length, 0);
  const js = r.outputFiles[0].text;
  assert.ok(js.includes('encodeSafetensors') && js.includes('decodeSafetensors'));
  assert.ok(!/from\s*["']node:|require\(["'](node:)?(fs|path|crypto)/.test(js), 'a Node built-in leaked into the browser bundle');
});

test('bundling node.ts for the browser fails (it is the Node edge, not exported from index.ts)', async () => {
  const entry = fileURLToPath(new URL('../../src/io/node.ts', import.meta.url));
  await assert.rejects(build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' }));
});

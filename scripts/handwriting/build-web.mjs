// Builds the handwriting page into web/dist/handwriting/ (run by scripts/build-web.mjs; also on its
// own, e.g. by test/web/handwriting.test.ts):
//   main.js, worker.js            the page and its recogniser worker (esbuild)
//   longshort-*.wasm              the WebAssembly kernels (packages/longshort/build/wasm/, made at npm ci)
//   handwriting.safetensors       the shipped model (packages/longshort-cli/models/handwriting.safetensors)
//   lexicon.txt                   the dictionary of the lexicon reading (data/handwriting/lexicon.txt)
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'web', 'handwriting');
const out = join(root, 'web', 'dist', 'handwriting');
mkdirSync(out, { recursive: true });

await build({
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning',
  entryPoints: { main: join(src, 'src', 'main.ts'), worker: join(src, 'src', 'worker.ts') },
  outdir: out,
});
for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(out, f));
const model = join(root, 'packages', 'longshort-cli', 'models', 'handwriting.safetensors');
if (existsSync(model)) copyFileSync(model, join(out, 'handwriting.safetensors'));
else console.warn('build-web: packages/longshort-cli/models/handwriting.safetensors is missing; the handwriting page will say so');
copyFileSync(join(root, 'data', 'handwriting', 'lexicon.txt'), join(out, 'lexicon.txt'));
for (const f of ['longshort-simd.wasm', 'longshort-relaxed.wasm']) {
  const p = join(root, 'packages', 'longshort', 'build', 'wasm', f);
  if (existsSync(p)) copyFileSync(p, join(out, f));
}
console.log('build-web: wrote web/dist/handwriting/ (the handwriting page)');

// Builds the speech page (web/speech/) into web/dist/speech/ with esbuild: main.js (the page),
// worker.js (features + model in a Web Worker), recorder.js (the AudioWorklet), the HTML and CSS,
// and the shipped model (packages/longshort-cli/models/speech.safetensors). The WebAssembly kernels are served from
// web/dist/ by the main build. Called from scripts/build-web.mjs.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export async function buildSpeechPage(root) {
  const out = join(root, 'web', 'dist', 'speech');
  mkdirSync(out, { recursive: true });
  const src = join(root, 'web', 'speech');
  const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true, logLevel: 'warning' };
  await build({ ...common, entryPoints: { main: join(src, 'main.ts'), worker: join(src, 'worker.ts'), recorder: join(src, 'recorder.ts') }, outdir: out });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(out, f));
  const model = join(root, 'packages', 'longshort-cli', 'models', 'speech.safetensors');
  if (existsSync(model)) copyFileSync(model, join(out, 'speech.safetensors'));
  return out;
}

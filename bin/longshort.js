#!/usr/bin/env node
// The `longshort` executable: runs the TypeScript CLI (src/cli/main.ts) through tsx, so that it
// works straight after `npm ci` with no build step. Relaxed SIMD lets the WebAssembly kernels use
// fused multiply-add on Node 20 (Node >= 22 has it on by default).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// tsx is resolved from this package, not from the caller's working directory.
const flags = ['--import', import.meta.resolve('tsx')];
if (Number(process.versions.node.split('.')[0]) < 22) flags.unshift('--experimental-wasm-relaxed-simd');
const child = spawn(process.execPath, [...flags, join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl-C reaches the child directly (same process group); the shim only waits for it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
});

#!/usr/bin/env node
// The `longshort` executable: runs the compiled command line (dist/cli/main.js). On Node 20 it first
// turns on relaxed SIMD, so the WebAssembly kernels use fused multiply-add (Node >= 22 has it on by
// default); the flag must be set before any WebAssembly module is compiled, hence before the import.
import { setFlagsFromString } from 'node:v8';

if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');
const { runCli } = await import('../dist/cli/main.js');
process.exit(await runCli(process.argv.slice(2)));

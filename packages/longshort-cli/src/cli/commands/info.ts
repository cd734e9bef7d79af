// `longshort info`: versions, the compute kernels (which are available, which one runs) and the
// machine's cores — what a bug report needs.

import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import { Output, VERSION, currentKernels, keyValues, setupKernels } from '../util.js';

export function register(program: Command): void {
  program
    .command('info')
    .description('show the longshort and Node.js versions, the compute kernels and the CPU cores')
    .option('--json', 'print one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const out = new Output(opts.json === true);
      const k = currentKernels() ?? (await setupKernels('auto'));
      const cpu = cpus()[0]?.model ?? 'unknown';
      const info = {
        longshort: VERSION,
        node: process.versions.node,
        v8: process.versions.v8,
        platform: `${process.platform}-${process.arch}`,
        kernels: { selected: k.selected, available: k.available, wasm: k.wasm, native: k.native },
        cores: availableParallelism(),
        cpu,
      };
      out.result(info);
      if (!out.json) {
        out.print(
          keyValues([
            ['longshort', info.longshort],
            ['node', `${info.node} (V8 ${info.v8})`],
            ['platform', info.platform],
            ['kernels', `${info.kernels.selected} selected; available: ${info.kernels.available.join(', ')}`],
            ['wasm', info.kernels.wasm.detail],
            ['native', info.kernels.native.detail],
            ['cores', `${info.cores} (${cpu})`],
          ]),
        );
      }
    });
}

// The one description of the WebAssembly kernels' exports on the TypeScript side: every export's
// name and its parameters, in order (asm/index.ts and the files it re-exports define them).
// `bindExports` checks at load time that the module has each export with that many parameters
// and returns wrappers that take NAMED arguments — `asm.gemm({ C, A, B, M, … })` — so a call
// cannot pass arguments in the wrong order, and TypeScript rejects a missing or misspelt one.
// test/kernels/wasm.exports.test.ts compares this table with the compiler's own typings of the
// module (build/wasm/longshort.d.ts: names and order), so the two cannot drift apart.
//
// Argument kinds: pointers are byte offsets into the module's memory (0 = null); booleans are
// passed as true/false (WebAssembly sees 0/1); f32/f64 parameters take any number.

import { KernelError } from '../../errors.js';

const FWD = [
  'nth', 'sync', 'gws', 'ws',
  'y', 'hN', 'cN',
  'gates', 'pre', 'cc0', 'c', 'hPrev', 'r',
  'hState', 'cState', 'rec', 'rStep', 'hStep',
  'x', 'h0', 'c0', 'wih', 'whh', 'bih', 'bhh', 'whr', 'peep',
  'T', 'B', 'D', 'H', 'P', 'lengths', 'reverse',
  'gateAct', 'cellAct', 'hiddenAct', 'flags', 'clip',
] as const;

const BWD = [
  'nth', 'sync', 'gws', 'ws',
  'gwih', 'gwhh', 'gbih', 'gbhh', 'gwhr', 'gpeep',
  'dx', 'dh0', 'dc0',
  'dy', 'dhN', 'dcN',
  'gates', 'pre', 'cc0', 'c', 'hPrev', 'r',
  'dzStep', 'dhState', 'dcState', 'dhStep', 'drStep', 'dhRec', 'dhAll',
  'x', 'wih', 'whh', 'whr', 'peep',
  'T', 'B', 'D', 'H', 'P', 'lengths', 'reverse',
  'gateAct', 'cellAct', 'hiddenAct', 'flags', 'clip',
] as const;

const COLS = [
  'tid', 'nth', 'sync', 'gws', 'ws', 'hbuf',
  'y', 'hN', 'cN',
  'gates', 'pre', 'cc0', 'c', 'hPrev',
  'cState', 'rec',
  'x', 'h0', 'c0', 'wih', 'whh', 'bih', 'bhh', 'peep',
  'T', 'D', 'H', 'lengths', 'reverse',
  'gateAct', 'cellAct', 'hiddenAct', 'flags', 'clip',
] as const;

/** Export name → parameter names in order. */
export const EXPORTS = {
  heapBase: [],
  gemmWorkspaceBytes: [],
  syncBytes: ['nth'],
  gemm: ['C', 'A', 'B', 'M', 'N', 'K', 'lda', 'ldb', 'ldc', 'transA', 'transB', 'accumulate', 'ws'],
  gemmRows: ['nth', 'sync', 'gws', 'C', 'A', 'B', 'M', 'N', 'K', 'lda', 'ldb', 'ldc', 'transA', 'transB', 'accumulate'],
  actArray: ['code', 'y', 'x', 'n'],
  lstmForward: FWD,
  lstmForwardWsBytes: ['H', 'P', 'projected', 'B'],
  lstmForwardCols: COLS,
  lstmForwardColsWsBytes: ['H'],
  lstmBackward: BWD,
  lstmBackwardWsBytes: ['H', 'P', 'projected', 'B'],
  biasAct: ['y', 'x', 'b', 'M', 'O', 'act'],
  actBackward: ['dx', 'dy', 'y', 'M', 'O', 'act'],
  colSumAdd: ['db', 'dz', 'M', 'O'],
  layerNormForward: ['y', 'mean', 'rstd', 'x', 'w', 'b', 'M', 'C', 'eps'],
  layerNormBackward: ['dx', 'dw', 'db', 'dy', 'x', 'mean', 'rstd', 'w', 'M', 'C'],
  sgdUpdate: ['p', 'g', 'buf', 'n', 'lr', 'wd', 'mu', 'damp1', 'nesterov', 'first'],
  adamUpdate: ['p', 'g', 'm', 'v', 'vmax', 'n', 'stepSize', 'bc2Sqrt', 'b1', 'om1', 'b2', 'om2', 'eps', 'decay', 'l2'],
  rmspropUpdate: ['p', 'g', 'sq', 'buf', 'gavg', 'n', 'lr', 'alpha', 'oma', 'eps', 'mu', 'wd'],
} as const;

export type ExportName = keyof typeof EXPORTS;

/** The named arguments of one export. */
export type ArgsOf<K extends ExportName> = { [P in (typeof EXPORTS)[K][number]]: number | boolean };

/** Typed wrappers of the exports: named arguments in, number out. */
export type AsmExports = { [K in ExportName]: (args: ArgsOf<K>) => number };

/** The positional form of a call (for a helper thread that runs the same export: src/kernels/wasm/threads.ts). */
export function positional<K extends ExportName>(name: K, args: ArgsOf<K>): number[] {
  const names = EXPORTS[name] as readonly string[];
  const out = new Array<number>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = +(args as Record<string, number | boolean>)[names[i]];
  return out;
}

/** Checks the instance against the table and wraps its exports; the error names what does not match. */
export function bindExports(instance: WebAssembly.Instance): AsmExports {
  const raw = instance.exports as Record<string, unknown>;
  const out = {} as Record<string, (args: Record<string, number | boolean>) => number>;
  const problems: string[] = [];
  for (const name of Object.keys(EXPORTS) as ExportName[]) {
    const fn = raw[name];
    const names = EXPORTS[name] as readonly string[];
    if (typeof fn !== 'function') {
      problems.push(`'${name}' is missing`);
      continue;
    }
    if (fn.length !== names.length) {
      problems.push(`'${name}' takes ${fn.length} parameters; the table lists ${names.length} (${names.join(', ')})`);
      continue;
    }
    const f = fn as (...a: number[]) => number;
    out[name] = (args) => f(...positional(name, args as ArgsOf<typeof name>));
  }
  if (problems.length > 0) {
    throw new KernelError(
      `[wasm kernels] the WebAssembly module does not match src/kernels/wasm/exports.ts: ${problems.join('; ')}. ` +
        'Hint: rebuild the module (npm run build:wasm) after changing asm/, and keep the table in step with it.',
    );
  }
  return out as unknown as AsmExports;
}

// Helpers every command shares: where output goes (one JSON object on stdout with --json, logs and
// progress on stderr), user-facing errors (printed as one `error: …` line, exit code 1), option
// parsers with clear messages, file reading with the path in the message, the kernel set-up, and the
// progress display (a cli-progress bar on a TTY, plain lines otherwise).
// Output goes through `io`, which tests replace to run commands in-process.
// Left out: colours, localisation.

import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { ConfigError, DivergenceError, FileError, FormatError, NonFiniteError, ShapeError, UnsupportedError } from 'longshort';
import type { BatchLog, EpochLog } from 'longshort';

/** The package version (package.json), read once at start-up. */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** "1 epoch", "2 epochs": a count and its noun, singular for one. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** The data/ folder this package ships (a copy of the repository's data/, made by scripts/copy-data.mjs). */
export function dataDir(): string {
  // src/cli/util.ts under tsx, dist/cli/util.js when built: the package root is two folders up
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
}

/**
 * A shipped data file as a user can type it here: data/NAME when the working directory holds the
 * same file there (the repository), else relative to the working directory when inside it, else absolute.
 */
export function dataPath(name: string): string {
  const abs = join(dataDir(), name);
  try {
    if (statSync(join('data', name)).size === statSync(abs).size) return join('data', name);
  } catch {
    // not here: fall through
  }
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/**
 * After a run has finished and saved its model: the checkpoint an interrupted run left in the
 * output folder is stale (resuming from it would redo finished work), so it goes.
 */
export function removeFinishedCheckpoint(path: string, out: Output): void {
  if (!existsSync(path)) return;
  unlinkSync(path);
  out.log(`removed ${path}: the run it was for has finished`);
}

/** A problem with the user's input or options: printed without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Whether stderr is a terminal (then progress is a bar). */
  errIsTTY(): boolean;
}

export const io: Io = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  errIsTTY: () => process.stderr.isTTY === true,
};

/** Our own error types (and file-system errors) are the user's to fix: one line, no stack. */
export function isUserError(e: unknown): e is Error {
  return (
    e instanceof CliError ||
    e instanceof ConfigError ||
    e instanceof ShapeError ||
    e instanceof FormatError ||
    e instanceof NonFiniteError ||
    e instanceof DivergenceError ||
    e instanceof UnsupportedError ||
    e instanceof FileError ||
    (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!))
  );
}

/** One line: newlines inside a message become spaces. */
export function errorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${msg.replace(/\s*\n\s*/g, ' ')}\n`;
}

/** Output for one command run: `json` sends the result as one object to stdout and everything else to stderr. */
export class Output {
  constructor(readonly json: boolean, readonly quiet = false) {}
  /** A line for people (stdout without --json; stderr with it, so stdout stays one JSON object). */
  print(s = ''): void {
    if (this.json) {
      if (!this.quiet) io.err(s + '\n');
    } else io.out(s + '\n');
  }
  /** Diagnostics and progress: always stderr. */
  log(s: string): void {
    if (!this.quiet) io.err(s + '\n');
  }
  /** The command's result: the JSON object (with --json). */
  result(obj: unknown): void {
    if (this.json) io.out(JSON.stringify(obj, jsonReplacer) + '\n');
  }
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array) return Array.from(v);
  return v;
}

// ------------------------------------------------------------------------------------ options

export function intOption(name: string, min = 1): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^[-+]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}; received '${v}'.`);
    }
    return n;
  };
}

export function floatOption(name: string, min = -Infinity, max = Infinity, minExclusive = false): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || (minExclusive && n === min) || n > max) {
      const lo = minExclusive ? `> ${min}` : `>= ${min}`;
      throw new InvalidArgumentError(`${name} must be a number ${lo}${Number.isFinite(max) ? ` and <= ${max}` : ''}; received '${v}'.`);
    }
    return n;
  };
}

export function listOption(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}; received '${v}'.`);
    return v as T;
  };
}

// ---------------------------------------------------------------------------------------- files

/** Reads a text file; a missing path or a directory is a one-line error naming the path. */
export function readText(path: string, what: string): string {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new CliError(`cannot read the ${what} '${path}': no such file (working directory ${process.cwd()}). Hint: check the path.`);
  }
  if (st.isDirectory()) throw new CliError(`cannot read the ${what} '${path}': it is a directory; expected a file.`);
  return readFileSync(abs, 'utf8');
}

/** Creates an output folder (and its parents); a file in the way is a clear error. */
export function ensureDir(dir: string): void {
  try {
    mkdirSync(resolve(dir), { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the output folder '${dir}': ${(e as Error).message}. Hint: choose another --out.`);
  }
}

let invocation: string[] = [];

/** The arguments of this run (set by runCli), for "resume with:" hints. */
export function setInvocation(args: readonly string[]): void {
  invocation = [...args];
}

export function getInvocation(): string[] {
  return [...invocation];
}

/** Checks that a path is an existing file (for inputs read by other code). */
export function requireFile(path: string, what: string): void {
  let st;
  try {
    st = statSync(resolve(path));
  } catch {
    throw new CliError(`cannot read the ${what} '${path}': no such file (working directory ${process.cwd()}). Hint: check the path.`);
  }
  if (st.isDirectory()) throw new CliError(`cannot read the ${what} '${path}': it is a directory; expected a file.`);
}

// -------------------------------------------------------------------------------------- kernels

export type KernelChoice = 'auto' | 'ref' | 'wasm' | 'native';

export interface KernelInfo {
  selected: string;
  available: string[];
  wasm: { loaded: boolean; detail: string };
  /** The native addon (linux-x64/arm64 with glibc): its instruction set when loaded, else why not. */
  native: { loaded: boolean; detail: string };
}

let kernelInfo: KernelInfo | null = null;

/**
 * Loads the WebAssembly kernels when asked ('auto' or 'wasm') and they exist, and makes the chosen
 * family the one every layer built afterwards computes with (setDefaultKernels; 'auto' = the
 * fastest loaded). 'ref' never loads the WebAssembly kernels.
 */
export async function setupKernels(choice: KernelChoice = 'auto'): Promise<KernelInfo> {
  const { getKernels, setDefaultKernels } = await import('longshort');
  let wasm = { loaded: false, detail: 'not requested (--kernels ref)' };
  if (choice !== 'ref') {
    try {
      const mod = (await import('longshort')) as { loadWasmKernels?: () => { name: string; variant?: string } | null };
      const k = mod.loadWasmKernels?.() ?? null;
      wasm = k === null
        ? { loaded: false, detail: 'this engine has no WebAssembly SIMD' }
        : { loaded: true, detail: `WebAssembly SIMD kernels loaded (${k.variant ?? 'simd'} build)` };
    } catch (e) {
      wasm = { loaded: false, detail: (e as Error).message.split('\n')[0] };
      if (choice === 'wasm') throw new CliError(`--kernels wasm: the WebAssembly kernels could not be loaded: ${wasm.detail}`);
    }
  }
  // the native addon registers itself when the Node entry is imported, where this platform has one
  const lib = (await import('longshort')) as { loadNativeKernels?: () => { detail: string } | null; nativeLoadError?: () => string | null };
  const nk = lib.loadNativeKernels?.() ?? null;
  const native = nk !== null ? { loaded: true, detail: `${nk.detail} (Node-API addon)` } : { loaded: false, detail: lib.nativeLoadError?.() ?? 'not available' };
  const available = ['ref', ...(wasm.loaded ? ['wasm'] : []), ...(native.loaded ? ['native'] : [])];
  if (choice === 'native' && !native.loaded) throw new CliError(`--kernels native: the native kernel is not available here: ${native.detail}. Hint: --kernels auto uses the fastest kernel this machine has.`);
  setDefaultKernels(choice);
  const selected = getKernels('auto').name;
  kernelInfo = { selected, available, wasm, native };
  return kernelInfo;
}

export function currentKernels(): KernelInfo | null {
  return kernelInfo;
}

// ------------------------------------------------------------------------------------- progress

export interface ProgressReporter {
  batch(log: BatchLog): void;
  epoch(log: EpochLog): void;
  stop(): void;
}

/**
 * Training progress on stderr: a cli-progress bar (epoch, batch, loss, validation loss, ETA) when
 * stderr is a TTY; otherwise one plain line per epoch, or one JSON line per epoch with --json.
 */
export function progressReporter(out: Output, epochs: number, startEpoch = 0): ProgressReporter {
  if (out.quiet) return { batch() {}, epoch() {}, stop() {} };
  if (io.errIsTTY()) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'epoch {epochNo}/{epochs} |{bar}| batch {batchNo}/{batches} | loss {loss} | val {val} | ETA {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let val = '-';
    return {
      batch(l) {
        const total = epochs * l.batches;
        const value = (l.epoch - 1) * l.batches + l.batch;
        const payload = { epochNo: l.epoch, epochs, batchNo: l.batch, batches: l.batches, loss: l.loss.toFixed(4), val };
        if (!started) {
          bar.start(total, startEpoch * l.batches, payload);
          started = true;
        }
        bar.update(value, payload);
      },
      epoch(l) {
        if (l.valLoss !== undefined) val = l.valLoss.toFixed(4);
        bar.update({ val, loss: l.loss.toFixed(4) });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  return {
    batch() {},
    epoch(l) {
      if (out.json) {
        io.err(JSON.stringify({ event: 'epoch', epoch: l.epoch, epochs, loss: l.loss, valLoss: l.valLoss ?? null, accuracy: l.accuracy ?? null, seconds: l.seconds }) + '\n');
      } else {
        const val = l.valLoss !== undefined ? `  val_loss ${l.valLoss.toFixed(4)}` : '';
        const acc = l.accuracy !== undefined ? `  acc ${l.accuracy.toFixed(3)}` : '';
        io.err(`epoch ${l.epoch}/${epochs}  loss ${l.loss.toFixed(4)}${val}${acc}  (${l.seconds.toFixed(2)} s)\n`);
      }
    },
    stop() {},
  };
}

/** A table with a header row; numbers right-aligned. */
export function table(rows: (string | number)[][], digits = 3): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? c.toFixed(digits) : '-') : c)));
  const w = cells[0].map((_, k) => Math.max(...cells.map((r) => (r[k] ?? '').length)));
  return cells
    .map((r) => r.map((c, k) => (k === 0 ? c.padEnd(w[k]) : c.padStart(w[k]))).join('  ').trimEnd())
    .join('\n');
}

/** Aligned "key: value" lines. */
export function keyValues(rows: [string, string][]): string {
  const w = Math.max(...rows.map((r) => r[0].length)) + 1;
  return rows.map(([k, v]) => `${(k + ':').padEnd(w)} ${v}`).join('\n');
}

/** A command line as the user could type it again (for "resume with:" hints). */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// The `longshort` command line: builds the commander program, registers every command module in
// ./commands/ (each exports `register(program)`), and turns errors into one `error: …` line with
// exit code 1 (our own error types and file errors: no stack trace). Commands load their heavy
// modules (training, plotting) lazily inside their actions, so `longshort --help` stays fast.
// Run directly: node --import tsx src/cli/main.ts <command> …  (bin/longshort.js does this).

import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { errorLine, io, isUserError, setInvocation, setupKernels, choiceOption, VERSION, type KernelChoice } from './util.js';
import { addExamples } from './examples.js';

/** Command modules in ./commands/, sorted by name (.ts under tsx, .js when built). */
function commandModules(): string[] {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const ext = fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js';
  return names
    .filter((n) => n.endsWith(ext) && !n.endsWith('.d.ts') && !n.endsWith('.test.ts'))
    .sort()
    .map((n) => join(dir, n));
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('longshort')
    .description('LSTM networks from the command line: forecasting, sequence classification/regression, character-level text models, gate plots.')
    .version(VERSION, '-V, --version')
    .option('--kernels <name>', 'compute kernels: auto (the native addon where this platform has one, else WebAssembly SIMD), native, wasm, ref', choiceOption('--kernels', ['auto', 'native', 'wasm', 'ref'] as const), 'auto')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  program.hook('preAction', async (root) => {
    await setupKernels((root.opts().kernels ?? 'auto') as KernelChoice);
  });
  for (const file of commandModules()) {
    let mod: { register?: (p: Command) => void };
    try {
      mod = (await import(pathToFileURL(file).href)) as { register?: (p: Command) => void };
    } catch (e) {
      // One broken command module must not take the others down; say which and why.
      io.err(`warning: command module ${file} failed to load: ${(e as Error).message.split('\n')[0]}\n`);
      continue;
    }
    if (typeof mod.register === 'function') mod.register(program);
  }
  // Subcommands inherit the error and output settings.
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  addExamples(program);
  return program;
}

/** Runs the CLI on `args` (without node and script) and returns the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  process.exitCode = undefined;
  setInvocation(args);
  try {
    const program = await buildProgram();
    await program.parseAsync([...args], { from: 'user' });
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    process.exitCode = undefined; // the caller decides how to exit (tests run commands in-process)
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its message (or the help/version text) already
      return e.exitCode;
    }
    if (isUserError(e)) {
      io.err(errorLine(e));
      return 1;
    }
    io.err(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const code = await runCli(process.argv.slice(2));
  process.exit(code);
}

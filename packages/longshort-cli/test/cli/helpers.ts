// Runs CLI commands in-process with stdout/stderr captured, and as child processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { io } from '../../src/cli/util.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One command, in-process (fast: no tsx start-up). Runs are serialised because io is shared. */
let queue: Promise<unknown> = Promise.resolve();
export function cli(args: string[]): Promise<Run> {
  const run = async (): Promise<Run> => {
    const saved = { out: io.out, err: io.err, tty: io.errIsTTY };
    let stdout = '';
    let stderr = '';
    io.out = (s) => void (stdout += s);
    io.err = (s) => void (stderr += s);
    io.errIsTTY = () => false;
    try {
      const code = await runCli(args);
      return { code, stdout, stderr };
    } finally {
      Object.assign(io, { out: saved.out, err: saved.err, errIsTTY: saved.tty });
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}

/** The command-line package (packages/longshort-cli/) and the repository root around it. */
export const PKG = new URL('../../', import.meta.url).pathname;
export const REPO = new URL('../../../../', import.meta.url).pathname;
export const MAIN = join(PKG, 'src/cli/main.ts');

export function tempDir(prefix = 'longshort-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The CLI as a child process (node --import tsx src/cli/main.ts …); onStderrLine can signal it. */
export function child(args: string[], onStderrLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => {
      stderr += d;
      partial += d;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        onStderrLine?.(line, (sig) => p.kill(sig));
      }
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

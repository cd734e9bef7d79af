// The kill -9 campaign: start a process that saves a model to one path in a loop, kill it with
// SIGKILL at a seeded random moment, look at the directory, repeat. A killed save cannot clean up,
// so temp files are expected after a kill; what must hold is:
//   - the model file is always whole (it loads), since saves go temp file → fsync → rename;
//   - the next save to the same place removes every temp file the killed ones left (0 stray files).
// Each round starts a new saver, and its first saves sweep the previous round's leftovers; the
// final in-process save sweeps the last round's.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { Rng } from '../../packages/longshort/dist/util/rng.js';
import { loadModelFile, saveModel } from '../../packages/longshort/dist/io/model-node.js';

const SAVER = new URL('./saver.ts', import.meta.url).pathname;

export interface KillReport {
  kills: number;
  /** Kills after which at least one temp file was left (the kill landed inside a save). */
  killsMidSave: number;
  /** Most temp files seen in the directory after a kill. */
  maxTempFiles: number;
  /** Bytes in temp files at the worst moment. */
  maxTempBytes: number;
  /** Times the model file did not load after a kill (must be 0). */
  corrupt: number;
  /** Temp files left after the final save (must be 0). */
  strayAfterNextSave: number;
  seconds: number;
}

function temps(dir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const n of readdirSync(dir)) {
    if (!n.endsWith('.tmp')) continue;
    count++;
    try {
      bytes += statSync(join(dir, n)).size;
    } catch {
      /* raced away */
    }
  }
  return { count, bytes };
}

/** Run `kills` rounds; `log` gets a line per round. */
export async function killCampaign(kills: number, seed: number, log: (s: string) => void = () => {}): Promise<KillReport> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'longshort-kill-'));
  const path = join(dir, 'model.safetensors');
  const rng = new Rng(seed);
  const report: KillReport = { kills: 0, killsMidSave: 0, maxTempFiles: 0, maxTempBytes: 0, corrupt: 0, strayAfterNextSave: 0, seconds: 0 };
  try {
    for (let round = 0; round < kills; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', SAVER, path, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        setPriority(child.pid!, 10);
      } catch {
        /* not permitted: fine */
      }
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`saver exited early (${code})`)));
      });
      // let it get into its loop, then kill at a random moment (most of its time is spent saving)
      await new Promise((r) => setTimeout(r, 50 + rng.int(400)));
      const dead = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await dead;
      report.kills++;
      const t = temps(dir);
      if (t.count > 0) report.killsMidSave++;
      report.maxTempFiles = Math.max(report.maxTempFiles, t.count);
      report.maxTempBytes = Math.max(report.maxTempBytes, t.bytes);
      try {
        await loadModelFile(path);
      } catch (e) {
        // before the first complete save there is no file yet; that is not corruption
        if ((e as { code?: string }).code !== 'ENOENT') report.corrupt++;
      }
      log(`kill ${round + 1}/${kills}: ${t.count} temp file(s) left by the killed save`);
    }
    const { Sequential, Dense } = await import('../../packages/longshort/dist/index.js');
    await saveModel(path, new Sequential([new Dense({ inputSize: 2, outputSize: 2 })]));
    report.strayAfterNextSave = temps(dir).count;
    await loadModelFile(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}

// `npm run fuzz -- --cases N --seed S`: the fuzz campaign against the model loaders, the data
// readers, the CLI and the public API (see ./harness.ts for the bounds and ./targets/ for what each
// target mutates). Cases are split over the targets by weight and run in worker processes (nice 10,
// `--jobs` at a time); a worker that dies mid-case is reported as a crash on that case and the run
// goes on from the next one. Prints a table per target and the findings, with the command that
// replays each.
//
// Options: --cases N (default 2000)  --seed S (default 1)  --targets a,b  --jobs J (default 2)
//          --chunk C (cases per worker, default 5000)  --kills K (kill -9 during save, K rounds)
//          --target T --case K (replay one case in this process, with its stack trace)
//          --json FILE (write the summary as JSON)

import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TARGETS, emptySummary, formatTable, mergeSummary, runCase, type CaseResult, type TargetSummary } from './harness.js';
import { killCampaign, type KillReport } from './kill.js';

const CHILD = new URL('./child.ts', import.meta.url).pathname;
/** A worker silent for this long is stuck in a case (the slowest cases take a few seconds). */
const HANG_MS = 120_000;

export interface FuzzRun {
  seed: number;
  summaries: TargetSummary[];
  kill: KillReport | null;
  seconds: number;
}

/** Run cases [from, to) of a target in worker processes, restarting after a crash. */
async function runChunk(target: string, seed: number, from: number, to: number): Promise<TargetSummary> {
  const total = emptySummary(target);
  let start = from;
  while (start < to) {
    const { summary, last, died } = await new Promise<{ summary: TargetSummary | null; last: number; died: string | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, target, String(seed), String(start), String(to)], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        setPriority(child.pid!, 10);
      } catch {
        /* not permitted */
      }
      let buf = '';
      let last = start - 1;
      let summary: TargetSummary | null = null;
      const partial = emptySummary(target);
      let stderr = '';
      // a case that hangs (an endless loop) blocks its worker: no output for HANG_MS means kill it
      let hung = false;
      let watchdog = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, HANG_MS);
      child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.stdout!.on('data', (d) => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, HANG_MS);
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('c ')) last = Number(line.slice(2));
          else if (line.startsWith('f ')) partial.findings.push(JSON.parse(line.slice(2)) as CaseResult);
          else if (line.startsWith('s ')) summary = JSON.parse(line.slice(2)) as TargetSummary;
        }
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(watchdog);
        const why = hung ? `hang: no progress for ${HANG_MS / 1000} s` : `worker died (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' / ')}`;
        resolve({ summary, last, died: summary === null ? why : null });
      });
    });
    if (summary !== null) {
      mergeSummary(total, summary);
      break;
    }
    if (last < start) throw new Error(`[fuzz] the ${target} worker died before its first case: ${died}`);
    // the worker died during case `last`: count it as a crash and go on after it
    total.cases++;
    total.crashes++;
    total.findings.push({ target, k: last, status: 'other', memory: -1, cpuMs: 0, bytes: 0, label: died?.startsWith('hang') ? 'hang' : 'crash', error: died ?? 'worker died', overMemory: false, overTime: false });
    start = last + 1;
  }
  return total;
}

/** Split `cases` over the targets by weight and run them, `jobs` workers at a time. */
export async function fuzz(opts: { cases: number; seed: number; targets?: string[]; jobs?: number; chunk?: number; kills?: number; log?: (s: string) => void }): Promise<FuzzRun> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const chosen = TARGETS.filter((t) => opts.targets === undefined || opts.targets.includes(t.name));
  const weight = chosen.reduce((s, t) => s + t.weight, 0);
  const chunk = opts.chunk ?? 5000;
  const jobs: { target: string; from: number; to: number }[] = [];
  chosen.forEach((t) => {
    const n = Math.max(1, Math.round((opts.cases * t.weight) / weight));
    for (let s = 0; s < n; s += chunk) jobs.push({ target: t.name, from: s, to: Math.min(n, s + chunk) });
  });
  const summaries = new Map(chosen.map((t) => [t.name, emptySummary(t.name)]));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = jobs[next++];
      const s = await runChunk(j.target, opts.seed, j.from, j.to);
      mergeSummary(summaries.get(j.target)!, s);
      log(`${j.target} ${j.from}–${j.to}: ${s.other} other exceptions, ${s.crashes} crashes, ${s.overMemory + s.overTime} over a bound (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 2) }, worker));
  const kill = opts.kills ? await killCampaign(opts.kills, opts.seed, log) : null;
  return { seed: opts.seed, summaries: [...summaries.values()], kill, seconds: (Date.now() - t0) / 1000 };
}

export function report(run: FuzzRun): string {
  const lines = [formatTable(run.summaries)];
  const findings = run.summaries.flatMap((s) => s.findings);
  if (findings.length > 0) {
    lines.push('', 'findings (replay one with: npm run fuzz -- --target T --case K --seed S):');
    for (const f of findings.slice(0, 40)) {
      const why = f.status === 'other' ? f.error?.split('\n')[0] : `${f.overMemory ? `memory ${(f.memory / 2 ** 20).toFixed(0)} MB` : ''}${f.overTime ? ` CPU ${f.cpuMs.toFixed(0)} ms` : ''} for ${f.bytes} bytes`;
      lines.push(`  --target ${f.target} --case ${f.k} --seed ${run.seed}  (${f.label}) ${why}`);
    }
  }
  if (run.kill !== null) {
    const k = run.kill;
    lines.push(
      '',
      `kill -9 during save: ${k.kills} kills, ${k.killsMidSave} of them mid-save (left a temp file, at most ${k.maxTempFiles} at once, ${(k.maxTempBytes / 2 ** 20).toFixed(1)} MB); ` +
        `model file unreadable after a kill: ${k.corrupt}; stray temp files after the next save: ${k.strayAfterNextSave}`,
    );
  }
  lines.push('', `seed ${run.seed}, ${run.summaries.reduce((n, s) => n + s.cases, 0)} cases in ${run.seconds.toFixed(0)} s`);
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      targets: { type: 'string' },
      target: { type: 'string' },
      case: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      chunk: { type: 'string', default: '5000' },
      kills: { type: 'string', default: '0' },
      json: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  if (values.case !== undefined) {
    const t = TARGETS.find((x) => x.name === values.target);
    if (t === undefined) throw new Error(`--case needs --target, one of ${TARGETS.map((x) => x.name).join(', ')}`);
    await t.setup();
    const r = await runCase(t, seed, Number(values.case));
    console.log(JSON.stringify({ ...r, error: undefined }, null, 1));
    if (r.error) console.log(r.error);
    process.exit(0);
  }
  const run = await fuzz({
    cases: Number(values.cases),
    seed,
    targets: values.targets?.split(','),
    jobs: Number(values.jobs),
    chunk: Number(values.chunk),
    kills: Number(values.kills),
    log: (s) => process.stderr.write(`${s}\n`),
  });
  console.log(report(run));
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(run, null, 1));
  const bad = run.summaries.some((s) => s.other + s.crashes + s.overMemory + s.overTime > 0) || (run.kill !== null && (run.kill.corrupt > 0 || run.kill.strayAfterNextSave > 0));
  process.exit(bad ? 1 : 0);
}

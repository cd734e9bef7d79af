// The fuzz harness: runs seeded cases of each target, classifies every outcome (success, one of the
// library's error classes, anything else), and measures each run's peak memory and CPU time against
// the bounds the library promises for loading a file of n bytes:
//   memory  ≤ 64 MiB + 4·n   (peak resident memory above the level before the case; Linux only)
//   time    ≤ 1 s + 1 s per MiB of input   (CPU time, so a busy machine does not count against it)
// The 1 s base covers fixed costs (building a model, a CLI run with one training epoch).
//
// Case k of target t under seed S is generated from its own generator (seeded from S, t and k), so
// any single case can be replayed alone: `npm run fuzz -- --target t --case k --seed S`.

import { readFileSync, writeFileSync } from 'node:fs';
import { Rng } from '../../packages/longshort/dist/util/rng.js';
import type { FuzzTarget } from './target.js';
import { modelFilesTarget, onnxTarget, pytorchTarget, tfjsTarget } from './targets/files.js';
import { csvTarget, jsonlTarget } from './targets/data.js';
import { apiTarget } from './targets/api.js';
import { cliTarget } from './targets/cli.js';

export const TARGETS: readonly FuzzTarget[] = [modelFilesTarget, pytorchTarget, onnxTarget, tfjsTarget, csvTarget, jsonlTarget, cliTarget, apiTarget];

export const MEMORY_BASE = 64 * 2 ** 20;
export const MEMORY_PER_BYTE = 4;
export const TIME_BASE_MS = 1000;
export const TIME_PER_MIB_MS = 1000;

/** Error classes a case may end with: the library's own, and the CLI's one-line user errors. */
const EXPECTED = /^(ShapeError|ConfigError|NonFiniteError|FormatError|DivergenceError|UnsupportedError|FileError|CliUserError)$/;

export type Status = 'ok' | 'library' | 'other';

export interface CaseResult {
  target: string;
  k: number;
  status: Status;
  /** Peak resident memory above the level at the start of the run, bytes (-1 when not measurable). */
  memory: number;
  /** CPU time of the run, ms. */
  cpuMs: number;
  /** Input bytes. */
  bytes: number;
  label: string;
  /** Error name and message for 'other' (and the first line for a library error). */
  error?: string;
  overMemory: boolean;
  overTime: boolean;
}

/** The generator of case k of a target under a seed. */
export function caseRng(seed: number, target: string, k: number): Rng {
  let h = 0x811c9dc5;
  for (const ch of `${target}:${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const r = new Rng(h);
  r.setState({ s: [h || 1, seed >>> 0, k >>> 0, (Math.floor(k / 2 ** 32) ^ 0x9e3779b9) >>> 0], spare: null });
  for (let i = 0; i < 8; i++) r.nextU32(); // mix
  return r;
}

const PROC = '/proc/self/status';
const canMeasure = ((): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return /VmHWM/.test(readFileSync(PROC, 'utf8'));
  } catch {
    return false;
  }
})();

function statusKb(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(PROC, 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

export function memoryLimit(bytes: number): number {
  return MEMORY_BASE + MEMORY_PER_BYTE * bytes;
}

export function timeLimitMs(bytes: number): number {
  return TIME_BASE_MS + (TIME_PER_MIB_MS * bytes) / 2 ** 20;
}

/** Make case k, run it, classify and measure. */
export async function runCase(target: FuzzTarget, seed: number, k: number): Promise<CaseResult> {
  let c;
  try {
    c = await target.make(caseRng(seed, target.name, k));
  } catch (e) {
    // a bug in the harness, not in the library: report it as a finding all the same
    const error = `harness: making the case threw ${(e as Error)?.stack ?? String(e)}`.slice(0, 4000);
    return { target: target.name, k, status: 'other', memory: -1, cpuMs: 0, bytes: 0, label: 'make', error, overMemory: false, overTime: false };
  }
  let rss0 = 0;
  if (canMeasure) {
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current resident size
    rss0 = statusKb('VmRSS');
  }
  const cpu0 = process.cpuUsage();
  let status: Status = 'ok';
  let error: string | undefined;
  try {
    await c.run();
  } catch (e) {
    const name = e !== null && typeof e === 'object' && typeof (e as Error).name === 'string' ? (e as Error).name : typeof e;
    if (e instanceof Error && EXPECTED.test(name) && e.message.length > 0) {
      status = 'library';
      error = `${name}: ${e.message.split('\n')[0].slice(0, 300)}`;
    } else {
      status = 'other';
      error = e instanceof Error ? `${name}: ${e.message}\n${e.stack ?? ''}`.slice(0, 4000) : `${name}: ${String(e)}`;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const memory = canMeasure ? Math.max(0, statusKb('VmHWM') - rss0) * 1024 : -1;
  const overMemory = memory > memoryLimit(c.bytes);
  const overTime = cpuMs > timeLimitMs(c.bytes);
  return { target: target.name, k, status, memory, cpuMs, bytes: c.bytes, label: c.label, error, overMemory, overTime };
}

export interface TargetSummary {
  target: string;
  cases: number;
  ok: number;
  library: number;
  other: number;
  /** Child processes that died during a case (fatal out-of-memory, stack overflow in native code). */
  crashes: number;
  overMemory: number;
  overTime: number;
  worstMemory: number;
  worstMemoryBytes: number;
  worstCpuMs: number;
  worstCpuBytes: number;
  /** Cases to look at: other exceptions, crashes, runs over a bound (first few). */
  findings: CaseResult[];
}

export function emptySummary(target: string): TargetSummary {
  return { target, cases: 0, ok: 0, library: 0, other: 0, crashes: 0, overMemory: 0, overTime: 0, worstMemory: 0, worstMemoryBytes: 0, worstCpuMs: 0, worstCpuBytes: 0, findings: [] };
}

export function addResult(s: TargetSummary, r: CaseResult, keep = 20): void {
  s.cases++;
  s[r.status]++;
  if (r.overMemory) s.overMemory++;
  if (r.overTime) s.overTime++;
  if (r.memory > s.worstMemory) [s.worstMemory, s.worstMemoryBytes] = [r.memory, r.bytes];
  if (r.cpuMs > s.worstCpuMs) [s.worstCpuMs, s.worstCpuBytes] = [r.cpuMs, r.bytes];
  if ((r.status === 'other' || r.overMemory || r.overTime) && s.findings.length < keep) s.findings.push(r);
}

export function mergeSummary(into: TargetSummary, s: TargetSummary, keep = 20): void {
  for (const k of ['cases', 'ok', 'library', 'other', 'crashes', 'overMemory', 'overTime'] as const) into[k] += s[k];
  if (s.worstMemory > into.worstMemory) [into.worstMemory, into.worstMemoryBytes] = [s.worstMemory, s.worstMemoryBytes];
  if (s.worstCpuMs > into.worstCpuMs) [into.worstCpuMs, into.worstCpuBytes] = [s.worstCpuMs, s.worstCpuBytes];
  into.findings.push(...s.findings.slice(0, Math.max(0, keep - into.findings.length)));
}

/** The report table: one row per target, then the totals. */
export function formatTable(rows: TargetSummary[]): string {
  const total = emptySummary('total');
  for (const r of rows) mergeSummary(total, r, 0);
  const mb = (b: number): string => (b < 0 ? 'n/a' : `${(b / 2 ** 20).toFixed(1)} MB`);
  const cells = [
    ['target', 'cases', 'loaded/ran', 'library errors', 'other exceptions', 'crashes', 'over memory', 'over time', 'worst memory', 'worst CPU time'],
    ...[...rows, total].map((r) => [
      r.target, String(r.cases), String(r.ok), String(r.library), String(r.other), String(r.crashes), String(r.overMemory), String(r.overTime),
      `${mb(r.worstMemory)}`, `${r.worstCpuMs.toFixed(0)} ms`,
    ]),
  ];
  const w = cells[0].map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  const line = (row: string[]): string => `| ${row.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join(' | ')} |`;
  return [line(cells[0]), `|${w.map((n, j) => (j === 0 ? '-'.repeat(n + 2) : `${'-'.repeat(n + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

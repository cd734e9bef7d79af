// One fuzz worker process: runs cases [from, to) of one target and reports on stdout, one line per
// case (`c <k>` before it starts, so the parent knows which case a crash hit) and a JSON summary at
// the end. Started by ./main.ts; run alone: node --expose-gc --import tsx test/fuzz/child.ts <target> <seed> <from> <to>

import { TARGETS, addResult, emptySummary, runCase } from './harness.js';

const [name, seedText, fromText, toText] = process.argv.slice(2);
const target = TARGETS.find((t) => t.name === name);
if (target === undefined) {
  process.stderr.write(`unknown target '${name}'\n`);
  process.exit(2);
}
const seed = Number(seedText);
const from = Number(fromText);
const to = Number(toText);
const gc = (globalThis as { gc?: () => void }).gc;

await target.setup();
const summary = emptySummary(target.name);
const lines: string[] = [];
const flush = (): void => {
  if (lines.length > 0) process.stdout.write(lines.join(''));
  lines.length = 0;
};
for (let k = from; k < to; k++) {
  // the parent must know the case before it runs, in case it takes the process down
  process.stdout.write(`c ${k}\n`);
  if (gc !== undefined && (k - from) % 64 === 0) gc();
  const r = await runCase(target, seed, k);
  addResult(summary, r);
  if (r.status === 'other' || r.overMemory || r.overTime) lines.push(`f ${JSON.stringify(r)}\n`);
  flush();
}
process.stdout.write(`s ${JSON.stringify(summary)}\n`);
process.exit(0); // a CLI case may leave handles (timers of a thread pool); the summary is out

// Writes data/activity.jsonl and data/activity-new.jsonl: small synthetic sequence-classification
// sets for `longshort train` and `longshort predict` (the examples in their --help). Each line is
// one recording of a two-axis accelerometer, {"id", "sequence": [[ax, ay], …], "label"}, 10–30
// steps long: 'still' is sensor noise around rest, 'walk' a slow swing, 'run' a fast, larger one,
// each with its own random frequency, phase and noise. Fixed seeds: rerunning writes the same files.
// Usage (after `npm ci`, which builds the library): node scripts/make-activity-data.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from 'longshort';

const KINDS = [
  { label: 'still', freq: 0.02, amp: 0.1 },
  { label: 'walk', freq: 0.12, amp: 1 },
  { label: 'run', freq: 0.3, amp: 2 },
];

/** n recordings, the classes in turn, from generator seed `seed`; ids start with `prefix`. */
function recordings(n, seed, prefix) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, k) => {
    const kind = KINDS[k % KINDS.length];
    const freq = kind.freq * (0.8 + 0.4 * rng.next());
    const T = 10 + rng.int(21);
    const phase = rng.next() * 2 * Math.PI;
    const sequence = Array.from({ length: T }, (_, t) => [
      +(kind.amp * Math.sin(2 * Math.PI * freq * t + phase) + 0.2 * rng.normal()).toFixed(3),
      +(kind.amp * Math.cos(2 * Math.PI * freq * t + phase) + 0.2 * rng.normal()).toFixed(3),
    ]);
    return JSON.stringify({ id: `${prefix}${k}`, sequence, label: kind.label });
  });
}

const data = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');
writeFileSync(join(data, 'activity.jsonl'), recordings(150, 1, 'a').join('\n') + '\n');
writeFileSync(join(data, 'activity-new.jsonl'), recordings(60, 2, 'n').join('\n') + '\n');
console.log('wrote data/activity.jsonl (150 recordings) and data/activity-new.jsonl (60)');

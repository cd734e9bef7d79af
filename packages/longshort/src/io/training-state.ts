// The training state a checkpoint carries (TrainingState in src/train/fit.ts), checked field by
// field before anything uses it: a checkpoint comes from disk and may be corrupt or hand-edited,
// and resuming from wrong types would fail deep inside the optimizer or the random generator.
// Used when a model file is read (FormatError) and when fit() is given `resume` (ConfigError).
//
// What is checked is the shape of the data: kinds, integer ranges, array lengths against each
// other. Whether the optimizer state fits the model (parameter names, slot sizes) is checked by
// the optimizer's loadState, which runs before any weight changes.

import type { TrainingState } from '../train/fit.js';

type ErrorClass = new (message: string) => Error;

/** Throws `Err` (FormatError for files, ConfigError for arguments) naming the first bad field. */
export function checkTrainingState(s: unknown, where: string, Err: ErrorClass): TrainingState {
  const fail = (path: string, expected: string, v: unknown): never => {
    throw new Err(`${where} training state ${path} must be ${expected}; received ${kind(v)}. The checkpoint is corrupt or was written by another program.`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) fail(path, 'an object', v);
    return v as Record<string, unknown>;
  };
  const int = (v: unknown, path: string, min = 0): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(path, `an integer ≥ ${min}`, v);
    return v as number;
  };
  const num = (v: unknown, path: string): number => {
    if (typeof v !== 'number') fail(path, 'a number', v);
    return v as number;
  };
  const numOrNull = (v: unknown, path: string): void => {
    if (v !== null) num(v, path);
  };

  const o = obj(s, '');
  // A G2P recipe run (src/g2p/recipe.ts, G2PRunState) checkpoints its own state in the same slot.
  if (o.kind === 'g2p-run') return checkG2PRunState(o, fail, obj, int, num) as unknown as TrainingState;
  const epoch = int(o.epoch, 'epoch');
  checkRngState(o.shuffleRng, 'shuffleRng', fail);
  checkRngState(o.modelRng, 'modelRng', fail);
  if (!Array.isArray(o.history)) fail('history', 'an array of epoch logs', o.history);
  const history = o.history as unknown[];
  if (history.length !== epoch) fail('history', `one entry per completed epoch (${epoch})`, `${history.length} entries`);
  history.forEach((h, k) => {
    const e = obj(h, `history[${k}]`);
    if (int(e.epoch, `history[${k}].epoch`, 1) !== k + 1) fail(`history[${k}].epoch`, `${k + 1}`, e.epoch);
    for (const f of ['loss', 'lr', 'seconds']) num(e[f], `history[${k}].${f}`);
    int(e.skipped, `history[${k}].skipped`);
    for (const f of ['valLoss', 'accuracy', 'valAccuracy']) if (e[f] !== undefined) num(e[f], `history[${k}].${f}`);
  });
  numOrNull(o.bestMetric, 'bestMetric');
  if (o.bestEpoch !== null) int(o.bestEpoch, 'bestEpoch', 1);
  int(o.badEpochs, 'badEpochs');
  checkOptimizerState(o.optimizer, fail, obj, int);
  if (o.scheduler !== null) {
    const sc = obj(o.scheduler, 'scheduler');
    if (typeof sc.kind !== 'string') fail('scheduler.kind', 'a string', sc.kind);
    int(sc.lastStep, 'scheduler.lastStep');
    for (const [k, v] of Object.entries(sc)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(`scheduler.${k}`, 'a string, number, boolean or null', v);
    }
  }
  return s as TrainingState;
}

/** The fields of a G2P run's state (G2PRunState): kinds and ranges; runG2PRecipe checks the recipe against the command's. */
function checkG2PRunState(
  o: Record<string, unknown>,
  fail: (path: string, expected: string, v: unknown) => never,
  obj: (v: unknown, path: string) => Record<string, unknown>,
  int: (v: unknown, path: string, min?: number) => number,
  num: (v: unknown, path: string) => number,
): Record<string, unknown> {
  if (o.version !== 1) fail('version', '1', o.version);
  obj(o.recipe, 'recipe');
  const epoch = int(o.epoch, 'epoch');
  checkOptimizerState(o.optimizer, fail, obj, int);
  if (o.schedule !== null) obj(o.schedule, 'schedule');
  checkRngState(o.batchRng, 'batchRng', fail);
  checkRngState(o.modelRng, 'modelRng', fail);
  if (!Array.isArray(o.history) || o.history.length !== epoch) fail('history', `an array of one entry per completed epoch (${epoch})`, o.history);
  (o.history as unknown[]).forEach((h, k) => {
    const e = obj(h, `history[${k}]`);
    int(e.epoch, `history[${k}].epoch`, 1);
    num(e.loss, `history[${k}].loss`);
  });
  int(o.bestEpoch, 'bestEpoch');
  if (o.bestValWordErrorRate !== null) num(o.bestValWordErrorRate, 'bestValWordErrorRate'); // Infinity (no validation yet) is written as null
  int(o.badEpochs, 'badEpochs');
  if (!Array.isArray(o.kept)) fail('kept', 'an array', o.kept);
  (o.kept as unknown[]).forEach((k, i) => {
    const e = obj(k, `kept[${i}]`);
    int(e.epoch, `kept[${i}].epoch`, 1);
    num(e.valWordErrorRate, `kept[${i}].valWordErrorRate`);
  });
  num(o.seconds, 'seconds');
  return o;
}

function checkOptimizerState(
  v: unknown,
  fail: (path: string, expected: string, v: unknown) => never,
  obj: (v: unknown, path: string) => Record<string, unknown>,
  int: (v: unknown, path: string, min?: number) => number,
): void {
  const o = obj(v, 'optimizer');
  if (typeof o.kind !== 'string') fail('optimizer.kind', 'a string', o.kind);
  int(o.step, 'optimizer.step');
  const hyper = obj(o.hyper, 'optimizer.hyper');
  for (const [k, h] of Object.entries(hyper)) if (typeof h !== 'number' && typeof h !== 'boolean') fail(`optimizer.hyper.${k}`, 'a number or boolean', h);
  if (!Array.isArray(o.params)) fail('optimizer.params', 'an array', o.params);
  const params = o.params as unknown[];
  const lengths = params.map((p, i) => {
    const q = obj(p, `optimizer.params[${i}]`);
    if (typeof q.name !== 'string') fail(`optimizer.params[${i}].name`, 'a string', q.name);
    return int(q.length, `optimizer.params[${i}].length`);
  });
  const slots = obj(o.slots, 'optimizer.slots');
  for (const [name, arrs] of Object.entries(slots)) {
    if (!Array.isArray(arrs) || arrs.length !== params.length) fail(`optimizer.slots.${name}`, `an array of ${params.length} arrays (one per parameter)`, arrs);
    (arrs as unknown[]).forEach((a, i) => {
      const path = `optimizer.slots.${name}[${i}]`;
      if (a instanceof Float32Array || a instanceof Float64Array) {
        if (a.length !== lengths[i]) fail(path, `${lengths[i]} values`, `${a.length} values`);
      } else if (Array.isArray(a)) {
        if (a.length !== lengths[i]) fail(path, `${lengths[i]} values`, `${a.length} values`);
        if (!a.every((x) => typeof x === 'number')) fail(path, 'numbers', 'an array holding other values');
      } else fail(path, 'an array of numbers', a);
    });
  }
}

function checkRngState(v: unknown, path: string, fail: (path: string, expected: string, v: unknown) => never): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object { s, spare }', v);
  const r = v as Record<string, unknown>;
  const s = r.s;
  if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    fail(`${path}.s`, 'four integers in [0, 2^32)', s);
  }
  if ((s as number[]).every((w) => w === 0)) fail(`${path}.s`, 'not all zero (xoshiro128** never leaves the zero state)', '[0, 0, 0, 0]');
  if (r.spare !== null && (typeof r.spare !== 'number' || !Number.isFinite(r.spare))) fail(`${path}.spare`, 'a finite number or null', r.spare);
}

function kind(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return 'a typed array';
  return 'an object';
}

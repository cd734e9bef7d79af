// Fuzz targets for the data readers: dated series CSV as the forecast command reads it (parse,
// numbers, dates, the missing-value policies, filling skipped dates), long-format sequence CSV, and
// JSON Lines sequences (parse, then the training set built from them, padded per batch).

import { loadPanel } from '../../../packages/longshort/dist/apps/forecast.js';
import { parseJsonl, parseLongCsv, prepareSequences, resolveTask, predictSequences } from '../../../packages/longshort/dist/apps/sequences.js';
import type { MissingPolicy } from '../../../packages/longshort/dist/data/csv.js';
import type { Rng } from '../../../packages/longshort/dist/util/rng.js';
import { jsonl, longCsv, seriesCsv } from '../corpus.js';
import { mutateJson, mutateText, pick, toJson } from '../mutate.js';
import type { FuzzTarget } from '../target.js';

const POLICIES: MissingPolicy[] = ['error', 'drop', 'ffill', 'interpolate'];

export const csvTarget: FuzzTarget = {
  name: 'csv',
  about: 'CSV: dated series (loadPanel: dates, numbers, missing values, skipped dates filled) and long-format sequences (parseLongCsv)',
  weight: 1,
  async setup() {},
  make(rng: Rng) {
    const long = rng.int(3) === 0;
    let text = long ? longCsv(1 + rng.int(3)) : seriesCsv(20 + rng.int(40), rng.int(2) === 0 ? 'day' : 'month', 1 + rng.int(3));
    const rounds = 1 + rng.int(3);
    for (let k = 0; k < rounds; k++) text = mutateText(text, rng);
    if (long) {
      const layout = rng.int(4) === 0 ? { id: pick(rng, ['id', 'ax', 'nope', '']), time: pick(rng, [undefined, 't', 'label']), label: pick(rng, [undefined, 'label', 'ay']) } : {};
      const requireLabels = rng.int(2) === 0;
      return { bytes: text.length, label: 'long-format sequences', run: () => parseLongCsv(text, layout, requireLabels) };
    }
    const o = { target: pick(rng, ['v', 'v', 'w', 'date', 'V']), past: pick(rng, [undefined, ['w'], ['v'], ['nope']]), date: pick(rng, ['date', 'date', undefined, 'v']), missing: pick(rng, POLICIES) };
    const horizon = 1 + rng.int(12);
    return { bytes: text.length, label: `series, missing ${o.missing}`, run: () => loadPanel(text, o, horizon) };
  },
};

export const jsonlTarget: FuzzTarget = {
  name: 'jsonl',
  about: 'JSON Lines sequences: parse, build the training set (padded per batch) and predict with the untrained model',
  weight: 1,
  async setup() {},
  make(rng: Rng) {
    const numeric = rng.int(3) === 0;
    let lines = jsonl(1 + rng.int(3), numeric).trim().split('\n');
    if (rng.int(2) === 0) {
      // a structured change to one record: ids that are objects, labels of the wrong kind, nesting, lengths
      const k = rng.int(lines.length);
      lines[k] = toJson(mutateJson(JSON.parse(lines[k]), rng, /id|label|sequence|\d/));
    } else if (rng.int(4) === 0) {
      // one very long sequence among short ones (padding to the file's longest would blow up)
      const T = pick(rng, [1000, 20000, 60000]);
      lines.push(JSON.stringify({ id: 'long', sequence: Array.from({ length: T }, (_, t) => [t % 3, 1]), label: numeric ? 0.5 : 'walk' }));
    }
    let text = lines.join('\n');
    if (rng.int(3) === 0) text = mutateText(text, rng);
    const requireLabels = rng.int(4) > 0;
    const taskChoice = pick(rng, ['auto', 'classify', 'regress'] as const);
    const val = pick(rng, [0, 0.2, 0.5]);
    return {
      bytes: text.length,
      label: numeric ? 'numeric labels' : 'class labels',
      run: () => {
        const data = parseJsonl(text, requireLabels);
        if (data.labels === null) return;
        const task = resolveTask(data, taskChoice);
        const p = prepareSequences(data, { task, hidden: 3, epochs: 1, batchSize: 4, lr: 0.01, seed: 1, val });
        predictSequences(p.model, p.extra, data);
      },
    };
  },
};

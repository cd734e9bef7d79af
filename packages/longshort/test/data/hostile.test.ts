// Data-file findings of issue #15: a CSV date jump that would fill millions of rows, JSON Lines
// records of the wrong shape, and variable-length sequences padded per (length-bucketed) batch
// instead of to the longest sequence in the file, with training that resumes bit for bit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, Sequential, LSTM, Dense, Tensor, fit, regularizeTimeSeries } from '../../src/index.js';
import { loadPanel } from '../../src/apps/forecast.js';
import { parseJsonl, prepareSequences } from '../../src/apps/sequences.js';
import { PaddedBatchExecutor, bucketedOrder, lengthChunks, padBatch, placeholderRows, predictRagged, type RaggedSequences } from '../../src/data/sequences.js';
import { Rng } from '../../src/util/rng.js';

function formatError(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof FormatError && re.test((e as Error).message));
}

describe('CSV: filling skipped dates is bounded', () => {
  test('a 48-byte file whose dates jump to the year 9999 is an error naming the gap and the rows, not 2.9 million rows', () => {
    const text = 'date,v\n2020-01-01,1\n2020-01-02,2\n9999-12-31,3\n';
    assert.ok(text.length <= 48);
    formatError(
      () => loadPanel(text, { target: 'v', date: 'date', missing: 'interpolate' }, 1),
      /filling the missing days would insert 2914632 rows into 3; at most 1000 are allowed\. The widest gap is 2914632 days, between row 3 \(2020-01-02\) and row 4 \(9999-12-31\)/,
    );
  });

  test('a real gap within the allowance is filled; the allowance is an option', () => {
    const times = Float64Array.from([0, 1, 5].map((d) => d * 86_400_000));
    const r = regularizeTimeSeries(times, [Float64Array.from([1, 2, 3])], 'day');
    assert.equal(r.inserted, 3);
    formatError(() => regularizeTimeSeries(times, [Float64Array.from([1, 2, 3])], 'day', { maxInserted: 2 }), /would insert 3 rows into 3; at most 2 are allowed.*between times\[1\] \(1970-01-02\) and times\[2\] \(1970-01-06\)/);
  });
});

describe('JSON Lines records', () => {
  test('an "id" that is an object is a FormatError (it was a TypeError)', () => {
    formatError(() => parseJsonl('{"sequence":[1,2],"label":"a","id":{"toString":1}}\n'), /line 1: "id" must be a string or a number; received an object/);
    formatError(() => parseJsonl('{"sequence":[1,2],"label":"a","id":[1]}\n'), /"id" must be a string or a number; received an array/);
  });

  test('other shapes: empty steps, non-finite numbers, labels on some lines only, deep nesting, duplicate keys', () => {
    formatError(() => parseJsonl('{"sequence":[[]],"label":"a"}\n'), /sequence\[0\] is empty; every step needs at least one feature/);
    formatError(() => parseJsonl('{"sequence":[1e999],"label":"a"}\n'), /sequence\[0\] must be a finite number; received Infinity/);
    formatError(() => parseJsonl('{"sequence":[1]}\n{"sequence":[2],"label":"a"}\n', false), /line 2: has a "label" but the lines before it have none/);
    formatError(() => parseJsonl(`{"sequence":[1],"label":"a","meta":${'['.repeat(20000)}}\n`), /line 1 is not valid JSON: nesting deeper than 16 levels/);
    formatError(() => parseJsonl('{"sequence":[1],"label":"a","label":"b"}\n'), /has the key 'label' twice/);
    const d = parseJsonl('{"sequence":[[1,2],[3,4]],"label":"a","id":7}\r\n\n{"label":"b","sequence":[[5,6]]}');
    assert.deepEqual(d.ids, ['7', '1']);
    assert.deepEqual(Array.from(d.seqs[0]), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(d.lengths), [2, 1]);
  });
});

describe('variable-length sequences are padded per batch', () => {
  // 200 one-step sequences and one of 40 000 steps: padded to the file's longest this was a
  // 201 × 40 000 tensor; per batch, only the long sequence's batch is long.
  const lines = Array.from({ length: 200 }, (_, k) => JSON.stringify({ sequence: [[k % 5, 1]], label: k % 2 ? 'a' : 'b' }));
  lines.push(JSON.stringify({ sequence: Array.from({ length: 40_000 }, (_, t) => [t % 3, 0]), label: 'a' }));
  const data = parseJsonl(lines.join('\n'));
  const p = prepareSequences(data, { task: 'classify', hidden: 3, epochs: 1, batchSize: 8, lr: 0.01, seed: 1, val: 0 });

  test('the training set is kept ragged: memory is the data, not N × longest', () => {
    const stored = p.train.data.seqs.reduce((n, s) => n + s.length, 0);
    assert.equal(stored, 2 * (200 + 40_000));
    assert.equal(p.train.data.seqs.length, 201);
  });

  test('bucketedOrder: every example once, batches of similar length, the short batch last', () => {
    const lengths = Int32Array.from({ length: 103 }, (_, k) => 1 + ((k * 37) % 50));
    const order = bucketedOrder(lengths, 10, new Rng(3), 4);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 103 }, (_, k) => k));
    // within each full batch lengths are close (pools of 40 sorted: a batch spans a quarter of a pool)
    for (let b = 0; b < 10; b++) {
      const ls = Array.from(order.subarray(10 * b, 10 * b + 10), (i) => lengths[i]);
      assert.ok(Math.max(...ls) - Math.min(...ls) <= 25, `batch ${b}: ${ls}`);
    }
    assert.equal(order.length - 100, 3);
  });

  test("padBatch pads to the batch's own longest; lengthChunks keeps a long sequence with few others", () => {
    const ragged: RaggedSequences = { seqs: [Float32Array.of(1, 2), Float32Array.of(3, 4, 5, 6)], lengths: Int32Array.of(1, 2), F: 2 };
    const { x, lengths } = padBatch(ragged, [1, 0]);
    assert.deepEqual(x.shape, [2, 2, 2]);
    assert.deepEqual(Array.from(x.data), [3, 4, 5, 6, 1, 2, 0, 0]);
    assert.deepEqual(Array.from(lengths), [2, 1]);
    const lens = Int32Array.from([1, 1, 1, 1, 40_000]);
    assert.deepEqual(lengthChunks([0, 1, 2, 3, 4], lens, 256), [[0, 1, 2, 3], [4]]);
  });

  test('training through the executor: a resumed run equals the uninterrupted one, bit for bit', async () => {
    const short = prepareSequences(parseJsonl(lines.slice(0, 40).join('\n')), { task: 'classify', hidden: 3, epochs: 4, batchSize: 8, lr: 0.05, seed: 2, val: 0 });
    const run = async (epochs: number, resume?: Awaited<ReturnType<typeof fit>>['state'], weights?: Sequential) => {
      const m = weights ?? new Sequential([['lstm', new LSTM({ inputSize: 2, hiddenSize: 3, returnSequences: false, seed: 2 })], ['head', new Dense({ inputSize: 3, outputSize: 2, seed: 3 })]], { seed: 2 });
      const h = await fit(m, placeholderRows(short.train.idx.length), short.train.y, {
        loss: 'crossEntropy', epochs, batchSize: 8, seed: 2, shuffle: false, resume,
        executor: new PaddedBatchExecutor(short.train.data, { batchSize: 8, seed: 2, startEpoch: resume?.epoch ?? 0 }),
      });
      return { m, h };
    };
    const full = await run(4);
    const half = await run(2);
    const resumed = await run(4, half.h.state, half.m);
    for (const p of full.m.params()) assert.deepEqual(resumed.m.param(p.name).value, p.value, p.name);
    assert.ok(full.h.epochs[3].loss < full.h.epochs[0].loss, 'it learns');
  });

  test('prediction on the ragged set matches one sequence at a time', () => {
    const idx = [0, 1, 2, 200];
    const all = predictRagged(p.model, p.train.data, idx);
    idx.forEach((i, k) => {
      const one = predictRagged(p.model, p.train.data, [i])[0];
      assert.deepEqual(Array.from(all[k]), Array.from(one));
    });
    assert.ok(new Tensor(all[3], [2]).data.every(Number.isFinite));
  });
});

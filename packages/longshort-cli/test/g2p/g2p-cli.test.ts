// `longshort g2p train` and `g2p predict` run in-process: train a tiny model, then predict with its
// file; option errors name the option and the value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/g2p.js';

describe('CLI (in-process)', () => {
  async function run(args: string[]): Promise<string> {
    const program = new Command();
    program.exitOverride();
    const out: string[] = [];
    register(program, { out: (t) => out.push(t), err: () => {} });
    await program.parseAsync(args, { from: 'user' });
    return out.join('');
  }

  test('g2p train --json writes one JSON object and a model that g2p predict reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'g2p-cli-'));
    try {
      const path = join(dir, 'g2p.model');
      const text = await run(['g2p', 'train', '--hidden', '8', '--layers', '1', '--embed', '4', '--epochs', '1', '--limit', '64',
        '--test-limit', '40', '--val-limit', '0', '--beam', '3', '--seed', '2', '--out', path, '--json']);
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 1);
      const r = JSON.parse(lines[0]);
      assert.equal(r.data.trainWords, 64);
      assert.equal(r.data.testWords, 40);
      assert.equal(r.history.length, 1);
      assert.ok(r.test.greedy.phonemeErrorRate > 0 && r.test.greedy.wordErrorRate <= 1);
      assert.equal(r.test.beam.width, 3);
      assert.equal(r.out, path);
      const p = JSON.parse(await run(['g2p', 'predict', path, 'hello', "Don't", '--beam', '4', '--json']));
      assert.deepEqual(p.predictions.map((x: { word: string }) => x.word), ['HELLO', "DON'T"]);
      assert.ok(p.predictions.every((x: { phonemes: string[] }) => Array.isArray(x.phonemes)));
      const plain = await run(['g2p', 'predict', path, 'cat']);
      assert.match(plain, /^CAT\t/);
      await assert.rejects(run(['g2p', 'predict', path, 'c4t']), /'c4t' contains '4', which is not in the model's alphabet/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('option errors name the option and the value', async () => {
    await assert.rejects(run(['g2p', 'train', '--hidden', '0']), /--hidden must be an integer >= 1; received '0'/);
    await assert.rejects(run(['g2p', 'train', '--lr', 'fast']), /--lr must be a number > 0; received 'fast'/);
  });
});

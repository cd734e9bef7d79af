// `longshort g2p train` and `g2p predict` run in-process: train a tiny model, then predict with its
// file; option errors name the option and the value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

  test('recipe options, a run directory resumed to more epochs, eval with a tuned LM + lexicon decoder, say with --align, average', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'g2p-run-'));
    try {
      const runDir = join(dir, 'run');
      const common = ['--hidden', '6', '--layers', '2', '--embed', '4', '--limit', '96', '--val-limit', '24', '--test-limit', '24', '--seed', '1'];
      const a = JSON.parse(await run(['g2p', 'train', ...common, '--epochs', '2', '--dropout', '0.2', '--repeat', '1', '--pad', '2',
        '--schedule', 'warmup-cosine', '--warmup', '3', '--average', '2', '--run-dir', runDir, '--out', join(dir, 'first.safetensors'), '--json']));
      assert.equal(a.split, 'rao2015');
      assert.equal(a.recipe.pad, 2);
      assert.equal(a.history.length, 2);
      assert.equal(a.data.trainWords, 96);
      assert.ok(['average', 'best'].includes(a.final.from));
      assert.ok(existsSync(join(runDir, 'last.safetensors')) && existsSync(join(runDir, 'report.json')));
      // continue the same run to epoch 3: the recipe comes from the checkpoint
      const out = join(dir, 'final.safetensors');
      const b = JSON.parse(await run(['g2p', 'train', '--run-dir', runDir, '--resume', '--epochs', '3', ...common.slice(6), '--out', out, '--json']));
      assert.deepEqual(b.history.map((h: { epoch: number }) => h.epoch), [1, 2, 3]);
      assert.deepEqual(b.history.slice(0, 2), a.history);
      assert.equal(b.recipe.dropout, 0.2);
      const e = JSON.parse(await run(['g2p', 'eval', out, '--limit', '96', '--val-limit', '24', '--test-limit', '24', '--lm-order', '2', '--lexicon', '--tune',
        '--grid-lm', '0,0.5', '--grid-length', '0', '--grid-lexicon', '-inf,0', '--out', out, '--embed-lm', '--json']));
      assert.equal(e.test.fused.spec.lmOrder, 2);
      assert.ok(e.test.fused.validation.wordErrorRate <= 1);
      assert.ok(e.test.lm.validationPerplexity > 1);
      const s = JSON.parse(await run(['g2p', 'say', 'cab', '--model', out, '--align', '--json']));
      assert.equal(s.words[0].word, 'CAB');
      assert.equal(s.words[0].frames.length, 5); // 3 letters × repeat 1 + pad 2
      assert.deepEqual(s.words[0].dictionary, [['K', 'AE', 'B']]);
      const avg = join(dir, 'avg.safetensors');
      const epochs = readdirSync(runDir).filter((f) => f.startsWith('epoch-')).map((f) => join(runDir, f));
      assert.ok(epochs.length >= 2);
      await run(['g2p', 'average', avg, ...epochs.slice(0, 2)]);
      assert.ok(existsSync(avg));
      await assert.rejects(run(['g2p', 'train', '--resume']), /--resume needs --run-dir DIR/);
      await assert.rejects(run(['g2p', 'train', '--run-dir', join(dir, 'nope'), '--resume']), /does not exist\. Hint: start the run without --resume first/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('option errors name the option and the value', async () => {
    await assert.rejects(run(['g2p', 'train', '--hidden', '0']), /--hidden must be an integer >= 1; received '0'/);
    await assert.rejects(run(['g2p', 'train', '--lr', 'fast']), /--lr must be a number > 0; received 'fast'/);
    await assert.rejects(run(['g2p', 'train', '--schedule', 'cyclic']), /--schedule must be one of constant, warmup-cosine, warmup-exp, plateau; received 'cyclic'/);
    await assert.rejects(run(['g2p', 'train', '--dropout', '1', '--limit', '8']), /dropout must be in \[0, 1\); received 1/);
  });
});

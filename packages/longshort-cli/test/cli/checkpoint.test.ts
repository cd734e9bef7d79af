// Checkpoints while training (#15): `--checkpoint-every` writes <out>/checkpoint.safetensors at
// epoch ends; a run killed with SIGKILL resumes from it to exactly the weights of an uninterrupted
// run; the checkpoint is removed when the resumed run finishes; SIGTERM stops after the current
// batch, saves and exits with 143 and a message saying how to resume.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFile, Rng } from 'longshort';
import { child, cli, tempDir, writeTemp } from './helpers.js';
import { parseCheckpointEvery } from '../../src/cli/training.js';

/** 400 sequences of 5–24 steps, two classes told apart by the sign of the mean of feature 0. */
function data(): string {
  const rng = new Rng(3);
  const lines: string[] = [];
  for (let k = 0; k < 400; k++) {
    const up = k % 2 === 0;
    const T = 5 + rng.int(20);
    const seq = Array.from({ length: T }, () => [Number(((up ? 0.3 : -0.3) + rng.normal()).toFixed(3)), Number(rng.normal().toFixed(3))]);
    lines.push(JSON.stringify({ sequence: seq, label: up ? 'up' : 'down' }));
  }
  return lines.join('\n') + '\n';
}

describe('longshort train: checkpoints while training', () => {
  const dir = tempDir();
  const file = writeTemp(dir, 'seq.jsonl', data());
  // 40 epochs of ~10 ms: the kill must land while the run is still training, also on a fast host
  const args = (out: string, every = '1'): string[] => ['train', file, '--epochs', '40', '--hidden', '12', '--batch-size', '8', '--seed', '5', '--out', out, '--checkpoint-every', every];

  test('kill -9 mid-training, --resume: the same weights as the run that was never killed; the checkpoint is then removed', { timeout: 300_000 }, async () => {
    const full = join(dir, 'full');
    const cut = join(dir, 'cut');
    let killed = false;
    const [a, b] = await Promise.all([
      child(args(full, 'off')),
      child(args(cut), (line, kill) => {
        if (!killed && /^epoch 4\/40/.test(line)) {
          killed = true;
          kill('SIGKILL');
        }
      }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(existsSync(join(full, 'checkpoint.safetensors')), false, '--checkpoint-every off writes none');
    assert.ok(killed, 'the run was killed');
    assert.notEqual(b.code, 0);
    assert.equal(existsSync(join(cut, 'model.safetensors')), false);
    const ck = await loadModelFile(join(cut, 'checkpoint.safetensors'));
    const at = ck.training!.epoch;
    assert.ok(at >= 3 && at < 40, `the checkpoint holds epoch ${at}`);

    const c = await child([...args(cut), '--resume', join(cut, 'checkpoint.safetensors')]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stderr, new RegExp(`resuming from .* after epoch ${at} of 40`));
    const ma = await loadModelFile(join(full, 'model.safetensors'));
    const mc = await loadModelFile(join(cut, 'model.safetensors'));
    for (const p of ma.model.params()) assert.deepEqual(mc.model.param(p.name).value, p.value, p.name);
    assert.deepEqual(readdirSync(cut), ['model.safetensors'], 'no checkpoint and no temp file left after the resumed run');
  });

  test('SIGTERM stops after the current batch, saves a checkpoint, says how to resume, exits with 143', { timeout: 300_000 }, async () => {
    const out = join(dir, 'term');
    let sent = false;
    const r = await child(args(out, 'off'), (line, kill) => {
      if (!sent && /^epoch 2\/40/.test(line)) {
        sent = true;
        kill('SIGTERM');
      }
    });
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /SIGTERM: stopping after this batch to save a checkpoint/);
    assert.match(r.stderr, /interrupted: saved a checkpoint after epoch \d+ of 40 to .*checkpoint\.safetensors/);
    assert.match(r.stderr, /resume with:\n  longshort train .* --resume .*checkpoint\.safetensors/);
    assert.deepEqual(readdirSync(out), ['checkpoint.safetensors']);
  });

  test('--checkpoint-every values', async () => {
    assert.deepEqual(parseCheckpointEvery('3'), { kind: 'epochs', n: 3 });
    assert.deepEqual(parseCheckpointEvery('90s'), { kind: 'seconds', s: 90 });
    assert.deepEqual(parseCheckpointEvery('2m'), { kind: 'seconds', s: 120 });
    assert.deepEqual(parseCheckpointEvery('auto'), { kind: 'auto' });
    assert.deepEqual(parseCheckpointEvery('off'), { kind: 'off' });
    const r = await cli(['train', file, '--checkpoint-every', 'sometimes', '--out', join(dir, 'x')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--checkpoint-every must be a number of epochs \(1, 5\), a duration \(30s, 10m, 1h\), auto or off; received 'sometimes'/);
  });
});

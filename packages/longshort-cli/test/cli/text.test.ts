import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, REPO, tempDir } from './helpers.js';

const LINCOLN = join(REPO, 'data/lincoln-annual-messages-1861-1864.txt');

describe('longshort text on the Lincoln messages (quality bar)', () => {
  test('held-out bits per character well below the unigram entropy; generate continues a prompt', async () => {
    const out = tempDir();
    const r = await cli(['text', 'train', LINCOLN, '--chars', '20000', '--hidden', '64', '--embedding', '16', '--seq-len', '50', '--batch-size', '16', '--lr', '0.02', '--epochs', '4', '--seed', '0', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.heldOutChars, 2000);
    assert.ok(j.unigramEntropyBits > 4 && j.unigramEntropyBits < 4.6, `unigram ${j.unigramEntropyBits}`);
    assert.ok(j.heldOutBitsPerChar < j.unigramEntropyBits - 1, `held-out ${j.heldOutBitsPerChar} vs unigram ${j.unigramEntropyBits}`);

    const g = await cli(['text', 'generate', join(out, 'model.safetensors'), '--prompt', 'The Union ', '--length', '80', '--temperature', '0.7', '--top-k', '5', '--seed', '1', '--json']);
    assert.equal(g.code, 0, g.stderr);
    const t = JSON.parse(g.stdout).text as string;
    assert.equal(t.length, 80);
    const again = await cli(['text', 'generate', join(out, 'model.safetensors'), '--prompt', 'The Union ', '--length', '80', '--temperature', '0.7', '--top-k', '5', '--seed', '1']);
    assert.equal(again.stdout, 'The Union ' + t + '\n');
    const bad = await cli(['text', 'generate', join(out, 'model.safetensors'), '--prompt', 'Ünion']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: \[text\] the characters "Ü" are not in the model's vocabulary/);
  });
});

// Runs the round trip of docs/interop-tfjs.md: the documented TF.js model, saved in the layout
// tfjs-node's file:// handler writes, loaded with loadTfjsModelFromFile and with the browser recipe
// (shards concatenated in manifest order). Checks the summary table the page quotes, and that
// predict agrees with TF.js's model.predict to 1e-5. (TF.js names layers from process-wide
// counters, so this file holds the one model the table describes.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsModel } from '../../src/interop/tfjs.js';
import { loadTfjsModelFromFile } from '../../src/interop/tfjs-node.js';
import { Tensor } from '../../src/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'longshort-tfjs-docs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('docs/interop-tfjs.md round trip', async () => {
  await tf.setBackend('cpu');
  const model = tf.sequential();
  model.add(tf.layers.bidirectional({
    layer: tf.layers.lstm({ units: 32, recurrentActivation: 'sigmoid', returnSequences: true }) as tf.RNN,
    mergeMode: 'concat',
    inputShape: [null, 8],
  }));
  model.add(tf.layers.dropout({ rate: 0.2 }));
  model.add(tf.layers.lstm({ units: 16, recurrentActivation: 'sigmoid', unitForgetBias: true }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  // what model.save('file://dir') writes with tfjs-node: model.json + weights.bin
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      modelTopology: a.modelTopology,
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!)));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));

  const ours = loadTfjsModelFromFile(join(dir, 'model.json'));
  const table = ours.summary([null, null, 8]);
  const doc = readFileSync(new URL('../../../../docs/interop-tfjs.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(table.split('\n').map((l) => `// ${l}`).join('\n')), `docs must quote the summary:\n${table}`);

  // the browser recipe: every shard of every group, concatenated in manifest order
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const parts = (json.weightsManifest as { paths: string[] }[]).flatMap((g) => g.paths).map((p) => new Uint8Array(readFileSync(join(dir, p))));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  const fromBrowser = loadTfjsModel(json, bytes);

  const data = new Float32Array(4 * 20 * 8).map((_, k) => Math.sin(0.37 * k));
  const x = new Tensor(data, [4, 20, 8]);
  const theirs = (model.predict(tf.tensor3d(data, [4, 20, 8])) as tf.Tensor).dataSync();
  for (const m of [ours, fromBrowser]) {
    const probs = m.predict(x);
    assert.deepEqual(probs.shape, [4, 3]);
    for (let k = 0; k < theirs.length; k++) assert.ok(Math.abs(probs.data[k] - theirs[k]) <= 1e-5, `probs[${k}]: ours ${probs.data[k]} tfjs ${theirs[k]}`);
  }
});

// A process that saves a model to one path over and over until it is killed: the victim of the
// kill -9 campaign (./kill.ts). The model is a few MB so that most of the time goes into the save
// itself (writing the temp file, fsync, rename) and a kill usually lands in the middle of one.
// Usage: node --import tsx test/fuzz/saver.ts <path> <seed>

import { LSTM, Sequential, Dense } from '../../packages/longshort/dist/index.js';
import { saveModel } from '../../packages/longshort/dist/io/model-node.js';

const [path, seedText] = process.argv.slice(2);
const model = new Sequential([
  ['lstm', new LSTM({ inputSize: 64, hiddenSize: 256, numLayers: 2, seed: Number(seedText) })],
  ['head', new Dense({ inputSize: 256, outputSize: 8 })],
]);
process.stdout.write('ready\n');
for (let k = 0; ; k++) {
  model.params()[0].value[0] = k; // each save differs
  await saveModel(path, model, { extra: { save: k } });
}

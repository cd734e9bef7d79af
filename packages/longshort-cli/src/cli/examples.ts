// One runnable example per command, shown at the end of its --help. Each uses the data this
// package ships (data/: CO₂, the Lincoln messages, the activity recordings; the CMU dictionary for
// g2p), with the data paths written as the user can type them from where they are; a command that
// needs a model makes one first (`… && …`), so every example runs as printed. The test in
// test/cli/examples.test.ts runs them all. Kept in one place (not in each command's file) so the
// examples are written alike and a command without one is easy to spot.

import type { Command } from 'commander';
import { dataPath } from './util.js';

const co2 = (): string => dataPath('co2-concentration.csv');
const activity = (): string => dataPath('activity.jsonl');
const lincoln = (): string => dataPath('lincoln-annual-messages-1861-1864.txt');

const forecastCo2 = (): string => `longshort forecast ${co2()} --target CO2 --date Date --missing interpolate --horizon 12 --epochs 10 --out out/co2`;
const trainActivity = (): string => `longshort train ${activity()} --hidden 16 --epochs 15 --out out/activity`;
const trainText = (): string => `longshort text train ${lincoln()} --chars 20000 --hidden 64 --epochs 1 --out out/text`;
const synthInk = (): string => 'longshort handwriting synth "longshort" --font EMSTech --seed 3 --out out/ink.json';
const trainG2p = (): string => 'longshort g2p train --limit 500 --test-limit 50 --val-limit 0 --hidden 16 --layers 1 --epochs 1';

/** Command path ('text train') → its example command line. */
export const EXAMPLES: Record<string, () => string> = {
  forecast: forecastCo2,
  train: trainActivity,
  predict: () => `${trainActivity()} && longshort predict out/activity/model.safetensors ${dataPath('activity-new.jsonl')}`,
  text: trainText,
  'text train': trainText,
  'text generate': () => `${trainText()} && longshort text generate out/text/model.safetensors --prompt "The war" --length 100`,
  gates: () => `${forecastCo2()} && longshort gates out/co2/model.safetensors --input ${co2()} --out out/co2-gates`,
  convert: () => `${trainActivity()} && longshort convert out/activity/model.safetensors out/onnx/activity.onnx`,
  inspect: () => `${trainActivity()} && longshort inspect out/activity/model.safetensors`,
  info: () => 'longshort info --json',
  experiment: () => 'longshort experiment gates --size tiny --seeds 1 --tasks co2 --out out/experiment',
  g2p: trainG2p,
  'g2p train': trainG2p,
  'g2p predict': () => `${trainG2p()} && longshort g2p predict out/g2p/model.safetensors HELLO WORLD`,
  'g2p eval': () => `${trainG2p()} && longshort g2p eval out/g2p/model.safetensors --limit 5000 --val-limit 100 --test-limit 100 --beam 8 --lm-order 3 --tune`,
  'g2p say': () => 'longshort g2p say hello world --align',
  'g2p average': () =>
    'longshort g2p train --limit 500 --test-limit 50 --val-limit 50 --hidden 16 --layers 1 --epochs 2 --average 2 --run-dir out/g2p-run --out out/g2p-run/model.safetensors' +
    ' && longshort g2p average out/g2p/average.safetensors out/g2p-run/epoch-001.safetensors out/g2p-run/epoch-002.safetensors',
  speech: () => `longshort speech transcribe ${dataPath('speech/heldout-2.wav')}`,
  'speech transcribe': () => `longshort speech transcribe ${dataPath('speech/heldout-2.wav')}`,
  'speech eval': () => `longshort speech eval --data ${dataPath('speech/heldout-10db.safetensors')}`,
  'speech train': () => `longshort speech train --train ${dataPath('speech/train-sample.safetensors')} --test ${dataPath('speech/heldout-10db.safetensors')} --hidden 16 --layers 1 --epochs 1 --val 0 --out out/speech/model.safetensors`,
  handwriting: () => `${synthInk()} && longshort handwriting read out/ink.json`,
  'handwriting synth': synthInk,
  'handwriting read': () => `${synthInk()} && longshort handwriting read out/ink.json`,
  'handwriting eval': () => `longshort handwriting eval --sample ${dataPath('handwriting/heldout-sample.jsonl')}`,
  'handwriting train': () => 'longshort handwriting train --train-size 200 --val-size 0 --test-size 20 --hidden 16 --layers 1 --epochs 1 --out out/handwriting/model.safetensors',
};

/** The path of a command below the program, e.g. 'text train'. */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let k: Command | null = c; k !== null && k.parent !== null; k = k.parent) names.unshift(k.name());
  return names.join(' ');
}

/** Every command and subcommand below `program`. */
export function allCommands(program: Command): Command[] {
  return program.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Adds "Example:" with the command's example to the end of its --help (data paths resolved when the help is shown). */
export function addExamples(program: Command): void {
  for (const c of allCommands(program)) {
    const example = EXAMPLES[commandPath(c)];
    if (example !== undefined) c.addHelpText('after', () => `\nExample (runs as is, with the data longshort-cli ships):\n  ${example()}\n`);
  }
}

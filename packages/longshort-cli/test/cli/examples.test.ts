// Every command's --help ends with one example that runs as printed, on the data the package
// ships: this test reads the example from each help text and runs it (in a fresh folder, so the
// data paths are the absolute ones a user outside the repository sees and out/ lands there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './helpers.js';
import { buildProgram } from '../../src/cli/main.js';
import { allCommands, commandPath } from '../../src/cli/examples.js';

/** Words of a command line: spaces separate, double quotes group. */
function words(line: string): string[] {
  return Array.from(line.matchAll(/"([^"]*)"|(\S+)/g), (m) => m[1] ?? m[2]);
}

test('every command shows a runnable example in its --help, and each one runs', async () => {
  const dir = tempDir();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const paths = allCommands(await buildProgram()).map(commandPath);
    assert.ok(paths.includes('train') && paths.includes('g2p predict'), paths.join(', '));
    const examples = new Map<string, string>();
    for (const path of paths) {
      const h = await cli([...path.split(' '), '--help']);
      assert.equal(h.code, 0, h.stderr);
      const m = /\nExample \(runs as is, with the data longshort-cli ships\):\n {2}(longshort .+)\n/.exec(h.stdout);
      assert.ok(m, `'longshort ${path} --help' shows no example:\n${h.stdout}`);
      examples.set(path, m[1]);
    }
    // each distinct step once, in order (several examples train the same model first)
    const done = new Set<string>();
    for (const [path, line] of examples) {
      const steps = line.split(' && ');
      assert.ok(steps.at(-1)!.startsWith(`longshort ${path}`) || ['text', 'g2p'].includes(path), `the example of ${path} ends with ${path}: ${line}`);
      for (const step of steps) {
        if (done.has(step)) continue;
        done.add(step);
        const [first, ...args] = words(step);
        assert.equal(first, 'longshort', step);
        const r = await cli(args);
        assert.equal(r.code, 0, `${step}\n${r.stderr}`);
      }
    }
    for (const f of ['out/activity/model.safetensors', 'out/co2-gates/gates.png', 'out/onnx/activity.onnx', 'out/g2p/model.safetensors', 'out/text/model.safetensors', 'out/experiment/results.md']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
  } finally {
    process.chdir(cwd);
  }
});

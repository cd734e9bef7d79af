// Bundled by browser.test.ts: renders a chart through the browser-safe plot entry.
import { heatmapChart } from '../../src/plot/index.js';

export function run(): Promise<string> {
  return heatmapChart({ rows: [{ label: 'a', values: [0, 0.5, 1] }, { label: 'b', values: [1, 0, -1] }] });
}

// Vega-Lite spec → SVG text, with vega's headless renderer ('none': no canvas, no DOM), so the
// same code runs in Node and in browsers. PNG output and file writing are in ./node.ts.
// Left out: interactive views (embed the spec with vega-embed in a page for that).

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec } from 'vega-lite';

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize(); // drop timers and listeners so Node can exit
  }
}

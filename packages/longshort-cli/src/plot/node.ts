// Node edge of the plots: SVG → PNG with resvg (a Rust renderer shipped as a prebuilt native
// module, no browser needed), and writing charts to disk. Text needs a font: resvg loads the
// system fonts and we ask for DejaVu Sans (Debian package fonts-dejavu-core). On a machine with no
// fonts at all the PNG still renders, but without any text; the SVG is unaffected.
// Left out: PDF output.

import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { ConfigError, writeFileAtomicSync } from 'longshort';

export interface PngOptions {
  /** Pixel scale relative to the SVG size; default 2 (sharp on high-DPI screens). */
  scale?: number;
  /** Background colour; default white (Vega's SVG background is white too). */
  background?: string;
  /** Extra font files to load (e.g. when the machine has no system fonts). */
  fontFiles?: string[];
}

export interface RenderedPng {
  png: Buffer;
  width: number;
  height: number;
  /** RGBA bytes, row-major (width × height × 4). */
  pixels: Buffer;
}

function makeResvg(svg: string, o: PngOptions): Resvg {
  const { scale = 2, background = 'white', fontFiles } = o;
  if (!(scale > 0 && scale <= 16)) throw new ConfigError(`[svgToPng] scale must be in (0, 16]; received ${scale}.`);
  return new Resvg(svg, {
    background,
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: {
      loadSystemFonts: true,
      ...(fontFiles ? { fontFiles } : {}),
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
}

/** Renders SVG to PNG, returning the PNG bytes together with the raw pixels (for checks). */
export function renderPng(svg: string, o: PngOptions = {}): RenderedPng {
  const img = makeResvg(svg, o).render();
  return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}

export function svgToPng(svg: string, o: PngOptions = {}): Buffer {
  return renderPng(svg, o).png;
}

/**
 * Writes a chart. The extension picks the format: .svg, or .png (rendered with resvg). Any other
 * extension is an error. Parent folders are created.
 */
export function writeChart(file: string, svg: string, o: PngOptions = {}): void {
  const ext = extname(file).toLowerCase();
  if (ext !== '.svg' && ext !== '.png') {
    throw new ConfigError(`[writeChart] file must end in .svg or .png; received '${file}'.`);
  }
  mkdirSync(dirname(file) || '.', { recursive: true });
  writeFileAtomicSync(file, ext === '.svg' ? new TextEncoder().encode(svg) : new Uint8Array(svgToPng(svg, o))); // never half-written
}

/** Writes base.svg and base.png; returns both paths. */
export function writeChartFiles(base: string, svg: string, o: PngOptions = {}): { svg: string; png: string } {
  const paths = { svg: `${base}.svg`, png: `${base}.png` };
  writeChart(paths.svg, svg, o);
  writeChart(paths.png, svg, o);
  return paths;
}

// Charts as Vega-Lite specs and SVG strings (browser-safe). PNG and file output: ./node.ts.
export * from './charts.js';
export { renderSvg, type TopLevelSpec } from './render.js';
export * from './bands.js';

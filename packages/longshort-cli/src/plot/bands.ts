// Probabilistic forecast charts: history, held-out truth, the forecast's median and its
// prediction intervals drawn as shaded bands (the widest lightest), for one series or a column of
// small multiples (one panel per series, each with its own y scale). A Vega-Lite layer spec:
// areas for the bands under lines for the series; rendered to SVG by ./render.ts.
// Left out: fan charts with many levels, interactive selection of series.

import { ConfigError, ShapeError } from 'longshort';
import { renderSvg, type TopLevelSpec } from './render.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

export interface BandPanel {
  /** Panel title (the series id). */
  title: string;
  /** x values: ms timestamps when `time`, else step numbers. */
  history: { x: ArrayLike<number>; y: ArrayLike<number> };
  truth?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /** Median forecast with its intervals (coverage c, lower and upper bound per x). */
  forecast: { x: ArrayLike<number>; y: ArrayLike<number>; intervals: { coverage: number; lower: ArrayLike<number>; upper: ArrayLike<number> }[] };
  /** A second forecast drawn dashed without bands, e.g. the future past the data's end. */
  future?: { x: ArrayLike<number>; y: ArrayLike<number>; intervals: { coverage: number; lower: ArrayLike<number>; upper: ArrayLike<number> }[] };
}

export interface BandChartOptions {
  panels: BandPanel[];
  title?: string;
  time?: boolean;
  yTitle?: string;
  width?: number;
  /** Height of each panel. */
  height?: number;
}

function len(where: string, a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) throw new ShapeError(`[bandChart] ${where}: ${what} must have as many values as x (${a.length}); received ${b.length}.`);
}

export function bandSpec(o: BandChartOptions): TopLevelSpec {
  if (o.panels.length === 0) throw new ConfigError('[bandChart] needs at least one panel; received none.');
  const lines: Record<string, number | string>[] = [];
  const bands: Record<string, number | string>[] = [];
  const coverages = new Set<number>();
  for (const p of o.panels) {
    const push = (s: { x: ArrayLike<number>; y: ArrayLike<number> } | undefined, series: string): void => {
      if (s === undefined) return;
      len(p.title, s.x, s.y, `${series} y`);
      for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) lines.push({ panel: p.title, x: s.x[i], y: s.y[i], series });
    };
    const pushBands = (f: BandPanel['forecast'] | undefined, kind: string): void => {
      if (f === undefined) return;
      for (const iv of f.intervals) {
        len(p.title, f.x, iv.lower, 'interval lower');
        len(p.title, f.x, iv.upper, 'interval upper');
        coverages.add(iv.coverage);
        for (let i = 0; i < f.x.length; i++) {
          if (Number.isFinite(iv.lower[i]) && Number.isFinite(iv.upper[i])) {
            bands.push({ panel: p.title, x: f.x[i], lo: iv.lower[i], hi: iv.upper[i], band: `${Math.round(iv.coverage * 1000) / 10}% interval`, kind });
          }
        }
      }
    };
    push(p.history, 'history');
    push(p.truth, 'held-out truth');
    push(p.forecast, 'forecast (median)');
    push(p.future, 'future forecast');
    pushBands(p.forecast, 'test');
    pushBands(p.future, 'future');
  }
  const bandNames = [...coverages].sort((a, b) => b - a).map((c) => `${Math.round(c * 1000) / 10}% interval`);
  const opacity = bandNames.map((_, k) => 0.18 + (0.3 * k) / Math.max(1, bandNames.length - 1));
  const x = { field: 'x', type: o.time ? 'temporal' : 'quantitative', title: o.time ? 'date' : 'step', ...(o.time ? {} : { scale: { zero: false } }) };
  const seriesNames = ['history', 'held-out truth', 'forecast (median)', 'future forecast'].filter((n) => lines.some((l) => l.series === n));
  const colors: Record<string, string> = { history: '#4c78a8', 'held-out truth': '#222222', 'forecast (median)': '#f58518', 'future forecast': '#e45756' };
  const dashes: Record<string, number[]> = { history: [1, 0], 'held-out truth': [1, 0], 'forecast (median)': [1, 0], 'future forecast': [6, 3] };
  const layer = {
    layer: [
      {
        data: { values: bands },
        transform: [{ filter: { field: 'panel', equal: '__PANEL__' } }],
        mark: { type: 'area', color: '#f58518' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', title: o.yTitle ?? 'value', scale: { zero: false } },
          y2: { field: 'hi' },
          opacity: { field: 'band', type: 'ordinal', sort: bandNames, title: null, scale: { domain: bandNames, range: opacity }, legend: { orient: 'top' } },
          detail: { field: 'kind' },
        },
      },
      {
        data: { values: lines },
        transform: [{ filter: { field: 'panel', equal: '__PANEL__' } }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'y', type: 'quantitative', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: seriesNames, range: seriesNames.map((n) => colors[n]) }, legend: { orient: 'top' } },
          strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: seriesNames, range: seriesNames.map((n) => dashes[n]) }, legend: { orient: 'top' } },
        },
      },
    ],
  };
  // One layered view per panel, stacked (vconcat keeps an independent y scale per series).
  const views = o.panels.map((p) => ({
    title: o.panels.length > 1 ? p.title : undefined,
    width: o.width ?? 640,
    height: o.height ?? (o.panels.length > 1 ? 160 : 280),
    ...JSON.parse(JSON.stringify(layer).replaceAll('"__PANEL__"', JSON.stringify(p.title))),
  }));
  const base = { $schema: SCHEMA, config: { font: FONT, view: { stroke: null } }, title: o.title ?? 'Forecast' };
  return (views.length === 1 ? { ...base, ...views[0], title: o.title ?? views[0].title ?? 'Forecast' } : { ...base, vconcat: views, resolve: { scale: { y: 'independent' } } }) as TopLevelSpec;
}

/** The band chart as SVG. */
export function bandChart(o: BandChartOptions): Promise<string> {
  return renderSvg(bandSpec(o));
}

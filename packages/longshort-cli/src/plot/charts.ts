// The charts the CLI and examples draw, as Vega-Lite specs (xxxSpec) and as SVG (xxxChart):
//   forecastChart  history, held-out truth, forecast over the held-out stretch, future forecast
//   lossChart      training (and validation) loss per epoch
//   heatmapChart   rows × time steps of values in [-1, 1], e.g. LSTM gate activations
// Specs are plain JSON, so a page can embed them interactively; the SVG comes from ./render.ts.
// Left out: chart themes, multi-panel dashboards.

import { ConfigError, ShapeError, type HeatmapRow } from 'longshort';
import { renderSvg, type TopLevelSpec } from './render.js';

// The rows of a gate heatmap are built by the library (gateHeatmapRows); re-exported for chart users.
export { gateHeatmapRows, type HeatmapRow, type GateTensors, type GateName, type GateRowOptions } from 'longshort';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
// DejaVu Sans first: it is what Debian's fonts-dejavu-core installs, so PNGs rendered by resvg match.
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const CONFIG = { font: FONT, view: { stroke: null } } as const;

/** A line: x positions (ms since the epoch when `time` is set, else step numbers) and y values. */
export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface ForecastChartOptions {
  /** Data the model saw (training + validation). */
  history: Series;
  /** Real values over the held-out stretch. */
  heldOutTruth?: Series;
  /** The model's forecast over the held-out stretch (compare with heldOutTruth). */
  forecast?: Series;
  /** Forecast past the end of the data (no truth to compare with): drawn dashed. */
  future?: Series;
  title?: string;
  /** x holds ms timestamps (dates on the axis); default false (step numbers). */
  time?: boolean;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
}

const FORECAST_SERIES = [
  { key: 'history', label: 'history', color: '#4c78a8', dash: [1, 0] },
  { key: 'heldOutTruth', label: 'held-out truth', color: '#222222', dash: [1, 0] },
  { key: 'forecast', label: 'forecast', color: '#f58518', dash: [1, 0] },
  { key: 'future', label: 'future forecast', color: '#e45756', dash: [6, 3] },
] as const;

function points(where: string, name: string, s: Series, extra: Record<string, string>): Record<string, number | string>[] {
  if (s.x.length !== s.y.length) {
    throw new ShapeError(`[${where}] ${name}.x and ${name}.y must have the same length; received ${s.x.length} and ${s.y.length}.`);
  }
  const out: Record<string, number | string>[] = [];
  // Non-finite points are left out: a NaN would make Vega drop or break the whole line.
  for (let i = 0; i < s.x.length; i++) {
    if (Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) out.push({ x: s.x[i], y: s.y[i], ...extra });
  }
  return out;
}

export function forecastSpec(o: ForecastChartOptions): TopLevelSpec {
  const values: Record<string, number | string>[] = [];
  const present = FORECAST_SERIES.filter((s) => o[s.key] !== undefined);
  for (const s of present) values.push(...points('forecastChart', s.key, o[s.key]!, { series: s.label }));
  if (values.length === 0) throw new ConfigError('[forecastChart] nothing to draw: every series is empty or non-finite. Hint: pass history with at least one point.');
  return {
    $schema: SCHEMA,
    title: o.title ?? 'Forecast',
    width: o.width ?? 640,
    height: o.height ?? 280,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: o.time ? 'temporal' : 'quantitative', title: o.xTitle ?? (o.time ? 'date' : 'step'), ...(o.time ? {} : { scale: { zero: false } }) },
      y: { field: 'y', type: 'quantitative', title: o.yTitle ?? 'value', scale: { zero: false } },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) },
        legend: { orient: 'top' },
      },
      // Same field, title and legend settings as colour, so Vega-Lite merges both into one legend.
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: present.map((s) => s.label), range: present.map((s) => [...s.dash]) },
        legend: { orient: 'top' },
      },
    },
  } as TopLevelSpec;
}

/** History, held-out truth, forecast and future forecast as lines with a legend; returns SVG. */
export function forecastChart(o: ForecastChartOptions): Promise<string> {
  return renderSvg(forecastSpec(o));
}

interface EpochLoss {
  epoch: number;
  loss: number;
  valLoss?: number;
}

/** Per-epoch losses: parallel arrays, the trainer's epoch records, or fit()'s History itself. */
export type LossHistory =
  | { train: ArrayLike<number>; val?: ArrayLike<number> }
  | readonly EpochLoss[]
  | { epochs: readonly EpochLoss[] };

export interface LossChartOptions {
  title?: string;
  /** Log y axis; default 'auto' = when all losses are > 0 and span more than a factor of 20. */
  logScale?: boolean | 'auto';
  width?: number;
  height?: number;
}

export function lossSpec(history: LossHistory, o: LossChartOptions = {}): TopLevelSpec {
  const values: { epoch: number; loss: number; split: string }[] = [];
  const records = Array.isArray(history) ? (history as readonly EpochLoss[]) : 'epochs' in history ? history.epochs : null;
  if (records) {
    for (const r of records) {
      if (Number.isFinite(r.loss)) values.push({ epoch: r.epoch, loss: r.loss, split: 'train' });
      if (r.valLoss !== undefined && Number.isFinite(r.valLoss)) values.push({ epoch: r.epoch, loss: r.valLoss, split: 'validation' });
    }
  } else {
    const h = history as { train: ArrayLike<number>; val?: ArrayLike<number> };
    if (!h || h.train === undefined) throw new ConfigError("[lossChart] history must be { train, val? }, an array of { epoch, loss, valLoss? }, or fit()'s History; received an object without 'train' or 'epochs'.");
    for (let i = 0; i < h.train.length; i++) if (Number.isFinite(h.train[i])) values.push({ epoch: i + 1, loss: h.train[i], split: 'train' });
    if (h.val) for (let i = 0; i < h.val.length; i++) if (Number.isFinite(h.val[i])) values.push({ epoch: i + 1, loss: h.val[i], split: 'validation' });
  }
  if (values.length === 0) throw new ConfigError('[lossChart] the loss history is empty (or has no finite loss). Hint: train for at least one epoch first.');
  const losses = values.map((v) => v.loss);
  const lo = Math.min(...losses);
  const hi = Math.max(...losses);
  const { logScale = 'auto' } = o;
  const log = logScale === 'auto' ? lo > 0 && hi / lo > 20 : logScale;
  if (log && lo <= 0) throw new ConfigError(`[lossChart] a log scale needs every loss > 0; the smallest is ${lo}. Hint: pass logScale: false.`);
  const splits = [...new Set(values.map((v) => v.split))];
  return {
    $schema: SCHEMA,
    title: o.title ?? 'Loss',
    width: o.width ?? 480,
    height: o.height ?? 240,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', point: values.length <= 60 * splits.length },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: log ? { type: 'log' } : { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: splits, range: ['#4c78a8', '#f58518'].slice(0, splits.length) }, legend: { orient: 'top' } },
    },
  } as TopLevelSpec;
}

/** Loss per epoch (train, and validation when given); returns SVG. */
export function lossChart(history: LossHistory, o: LossChartOptions = {}): Promise<string> {
  return renderSvg(lossSpec(history, o));
}

export interface HeatmapChartOptions {
  rows: readonly HeatmapRow[];
  title?: string;
  /** Colour scale domain; values outside are clamped. Default [-1, 1] (sigmoid gates use the upper half). */
  domain?: [number, number];
  /** Width of one time step in pixels; default chosen so the chart is about 600 px wide. */
  cellWidth?: number;
  cellHeight?: number;
}

export function heatmapSpec(o: HeatmapChartOptions): TopLevelSpec {
  const { rows } = o;
  if (rows.length === 0) throw new ConfigError('[heatmapChart] rows must hold at least one row; received none.');
  const T = rows[0].values.length;
  if (T === 0) throw new ConfigError(`[heatmapChart] rows[0] ('${rows[0].label}') has no values; each row needs one value per time step.`);
  const seen = new Set<string>();
  const values: { row: string; step: number; value: number; group: string }[] = [];
  rows.forEach((r, k) => {
    if (r.values.length !== T) {
      throw new ShapeError(`[heatmapChart] every row must have ${T} values like rows[0] ('${rows[0].label}'); rows[${k}] ('${r.label}') has ${r.values.length}.`);
    }
    if (seen.has(r.label)) throw new ConfigError(`[heatmapChart] row labels must be unique; '${r.label}' appears twice. Hint: prefix the unit with its gate, e.g. 'i3'.`);
    seen.add(r.label);
    for (let t = 0; t < T; t++) values.push({ row: r.label, step: t, value: r.values[t], group: r.group ?? '' });
  });
  const domain = o.domain ?? [-1, 1];
  if (!(domain[0] < domain[1])) throw new ConfigError(`[heatmapChart] domain must be [lo, hi] with lo < hi; received [${domain.join(', ')}].`);
  const cellW = o.cellWidth ?? Math.max(2, Math.min(24, Math.floor(600 / T)));
  const cellH = o.cellHeight ?? Math.max(3, Math.min(16, Math.floor(480 / rows.length)));
  return {
    $schema: SCHEMA,
    title: o.title ?? 'Activations',
    width: cellW * T,
    height: cellH * rows.length,
    config: { ...CONFIG, axis: { labelOverlap: true } },
    data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'step', type: 'ordinal', title: 'time step', axis: { labelAngle: 0 } },
      y: { field: 'row', type: 'ordinal', title: null, sort: rows.map((r) => r.label) },
      color: { field: 'value', type: 'quantitative', title: 'value', scale: { domain, scheme: 'blueorange', clamp: true } },
      tooltip: [
        { field: 'row', type: 'nominal' },
        { field: 'step', type: 'ordinal' },
        { field: 'value', type: 'quantitative', format: '.3f' },
      ],
    },
  } as TopLevelSpec;
}

/** A heatmap with one row per entry of `rows` and one column per time step; returns SVG. */
export function heatmapChart(o: HeatmapChartOptions): Promise<string> {
  return renderSvg(heatmapSpec(o));
}

// A small grid search over the global model's hyperparameters, scored on backtest folds that end
// before the evaluated stretch, so the final holdout never influences the choice:
//   1. cut every series before its first evaluation cutoff (the last H + (K − 1)·S points go);
//   2. on what is left, run a K-fold backtest (fewer folds if the cut series are too short) for
//      every combination of the grid;
//   3. pick the combination with the lowest mean MASE (ties: lower wQL, then grid order).
// The caller then runs the real backtest with the chosen options.
// Default grid: lookback {default, 1.5·default}, hidden {16, 32}, layers {1, 2}, lr {0.003, 0.01}
// (16 combinations).
// Left out: random or Bayesian search, early stopping of bad combinations.

import { ConfigError, ShapeError } from '../errors.js';
import { backtest, checkBacktest, type BacktestCallbacks, type BacktestOptions, type ModelOptions, type Scores } from './backtest.js';
import type { Panel, PanelSeries } from './panel.js';

/** The values a grid search tries per hyperparameter; a key left out keeps the base options' value. */
export interface Grid {
  /** Lookbacks L to try. */
  lookback?: number[];
  /** LSTM hidden sizes to try. */
  hidden?: number[];
  /** LSTM layer counts to try. */
  layers?: number[];
  /** Learning rates to try. */
  lr?: number[];
}

/** The hyperparameters a Grid may vary, in the order combinations() nests them. */
export const GRID_KEYS = ['lookback', 'hidden', 'layers', 'lr'] as const;
type GridKey = (typeof GRID_KEYS)[number];

/** "lookback=24,36 hidden=16,32 lr=0.003,0.01" → a Grid; unknown keys and bad numbers are errors. */
export function parseGrid(text: string): Grid {
  const grid: Grid = {};
  for (const part of text.split(/[\s;]+/).filter((p) => p !== '')) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    if (m === null) throw new ConfigError(`[forecast] --grid entries look like name=v1,v2; received '${part}'.`);
    const key = m[1] as GridKey;
    if (!GRID_KEYS.includes(key)) throw new ConfigError(`[forecast] --grid can vary ${GRID_KEYS.join(', ')}; received '${m[1]}'.`);
    const values = m[2].split(',').map((v) => Number(v.trim()));
    for (const v of values) {
      const ok = key === 'lr' ? v > 0 && Number.isFinite(v) : Number.isInteger(v) && v >= 1;
      if (!ok) throw new ConfigError(`[forecast] --grid ${key} values must be ${key === 'lr' ? 'numbers > 0' : 'integers ≥ 1'}; received '${m[2]}'.`);
    }
    grid[key] = [...new Set(values)];
  }
  return grid;
}

/** The default grid: lookback {base, 1.5·base}, hidden {16, 32}, layers {1, 2}, lr {0.003, 0.01} (16 combinations). */
export function defaultGrid(base: ModelOptions): Grid {
  return { lookback: [...new Set([base.lookback, Math.round(1.5 * base.lookback)])], hidden: [16, 32], layers: [1, 2], lr: [0.003, 0.01] };
}

/** Every combination, the first key varying slowest. */
export function combinations(base: ModelOptions, grid: Grid): ModelOptions[] {
  let out: ModelOptions[] = [base];
  for (const key of GRID_KEYS) {
    const vals = grid[key];
    if (vals === undefined || vals.length === 0) continue;
    out = out.flatMap((o) => vals.map((v) => ({ ...o, [key]: v })));
  }
  return out;
}

/** The panel with the last `n` points of every series removed (and of its covariates). */
export function truncatePanel(panel: Panel, n: number): Panel {
  const series: PanelSeries[] = panel.series.map((s) => {
    const T = Math.max(0, s.y.length - n);
    return {
      ...s,
      y: s.y.slice(0, T),
      times: s.times === null ? null : s.times.slice(0, T),
      past: s.past.map((c) => c.slice(0, T)),
      // Future-known values stay known up to the removed stretch's end: keep the next n of them.
      future: s.future.map((c) => c.slice(0, Math.min(c.length, T + n))),
    };
  });
  return { ...panel, series, futureSteps: n };
}

/** One combination of a grid search and its backtest scores. */
export interface SearchRow {
  /** Lookback L tried. */
  lookback: number;
  /** Hidden size tried. */
  hidden: number;
  /** Layer count tried. */
  layers: number;
  /** Learning rate tried. */
  lr: number;
  /** The model's overall backtest scores. */
  scores: Scores;
  /** Folds the backtest ran. */
  folds: number;
}

/** What gridSearch() resolves to. */
export interface SearchResult {
  /** Every combination, in grid order. */
  rows: SearchRow[];
  /** The options of the winning combination. */
  best: ModelOptions;
  /** Index of the winner in rows. */
  bestIndex: number;
  /** Folds and points per series the search used. */
  folds: number;
  /** Points removed from the end of every series before searching. */
  removed: number;
}

/** Progress callbacks of gridSearch(): the backtest's, plus one before and one after each combination. */
export interface SearchCallbacks extends BacktestCallbacks {
  /** Before combination `index` (1-based) of `count`. */
  onCandidateStart?(index: number, count: number, o: ModelOptions): void | Promise<void>;
  /** After combination `index` (1-based) of `count`, with its scores. */
  onCandidateEnd?(index: number, count: number, row: SearchRow): void | Promise<void>;
}

/**
 * Grid search over the global model's hyperparameters (see the file header): every series is cut
 * before the stretch the real backtest evaluates, every combination is backtested on what is left,
 * and the lowest mean MASE wins (ties: lower wQL, then grid order). Throws ShapeError when too
 * little data is left before the evaluated stretch, ConfigError for bad backtest options.
 */
export async function gridSearch(panel: Panel, base: ModelOptions, bo: BacktestOptions, grid: Grid, cb: SearchCallbacks = {}): Promise<SearchResult> {
  const b = checkBacktest(bo, base.horizon);
  const H = base.horizon;
  const removed = H + (b.folds - 1) * b.stride;
  const cut = truncatePanel(panel, removed);
  const longest = Math.max(...cut.series.map((s) => s.y.length));
  // As many folds as fit (each needs H + 2 training points in the longest series), at most K.
  let folds = b.folds;
  while (folds > 0 && longest - H - (folds - 1) * b.stride < H + 2) folds--;
  if (folds === 0) {
    throw new ShapeError(
      `[forecast] --search needs data before the evaluated stretch: after removing the last ${removed} points (the ${b.folds} evaluation fold${b.folds > 1 ? 's' : ''}), the longest series has ${longest} points, fewer than 2·horizon + 2 = ${2 * H + 2}. ` +
        'Hint: use fewer --backtest folds or a shorter --horizon for the search.',
    );
  }
  const list = combinations(base, grid);
  const rows: SearchRow[] = [];
  for (let c = 0; c < list.length; c++) {
    await cb.onCandidateStart?.(c + 1, list.length, list[c]);
    const r = await backtest(cut, list[c], { ...bo, folds }, cb);
    const row: SearchRow = { lookback: list[c].lookback, hidden: list[c].hidden, layers: list[c].layers, lr: list[c].lr, scores: r.overall.model, folds };
    rows.push(row);
    await cb.onCandidateEnd?.(c + 1, list.length, row);
  }
  let best = 0;
  const key = (r: SearchRow): [number, number] => [Number.isFinite(r.scores.mase) ? r.scores.mase : Infinity, Number.isFinite(r.scores.wql) ? r.scores.wql : Infinity];
  for (let c = 1; c < rows.length; c++) {
    const [a1, a2] = key(rows[c]);
    const [b1, b2] = key(rows[best]);
    if (a1 < b1 || (a1 === b1 && a2 < b2)) best = c;
  }
  return { rows, best: list[best], bestIndex: best, folds, removed };
}

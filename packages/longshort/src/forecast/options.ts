// Defaults and checks for the global forecaster's options, resolved against the data.
//   season    detected per series from the autocorrelation of the part before the evaluated
//             stretch (src/metrics/forecast.ts detectSeasonPeriod), then voted (detectPanelSeason)
//   lookback  max(2·season, min(horizon, 24), 8)
//   head      'quantile' (pinball loss on the report's levels)
//   model     hidden 32, 1 layer, no embedding, 30 epochs, batch 32, Adam lr 0.005 — the same
//             defaults as the single-series command always had
//   intervals 80% and 95%

import { ConfigError } from '../errors.js';
import { detectSeasonPeriod } from '../metrics/forecast.js';
import type { ModelOptions } from './backtest.js';
import type { Panel } from './panel.js';
import type { HeadKind } from './windows.js';

/** Every HeadKind, for checks and menus. */
export const HEADS: readonly HeadKind[] = ['quantile', 'gaussian', 'negbin'];

/**
 * The panel's season from each series' detected period (on y[0, T − holdOut), series of ≥ 9
 * points): a detected period counts for the smallest period detected anywhere that divides it
 * (24 and 36 count for 12), and the panel is seasonal when at least a third of the series vote
 * for a season; then the season with most votes wins (ties: the shorter). Many series show their
 * season weakly, so a per-series majority would miss it (on unemployment across industries 5
 * series detect 12, 2 a multiple of it, 7 none).
 */
export function detectPanelSeason(panel: Panel, holdOut: number): number {
  const periods: number[] = [];
  for (const s of panel.series) {
    const n = s.y.length - holdOut;
    if (n >= 9) periods.push(detectSeasonPeriod(s.y.subarray(0, n)));
  }
  const seasonal = periods.filter((p) => p > 1);
  if (periods.length === 0 || seasonal.length * 3 < periods.length) return 1;
  const bases = [...new Set(seasonal)].sort((a, b) => a - b);
  const votes = new Map<number, number>();
  for (const p of seasonal) {
    const q = bases.find((b) => p % b === 0)!;
    votes.set(q, (votes.get(q) ?? 0) + 1);
  }
  let best = 1;
  let count = 0;
  for (const [m, c] of votes) if (c > count || (c === count && m < best)) [best, count] = [m, c];
  return best;
}

function posInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new ConfigError(`[forecast] ${name} must be an integer ≥ ${min}; received ${v}.`);
}

/** Fills in the defaults (see the file header) and checks every option. `holdOut` = points after the first fold's cutoff. */
export function resolveModelOptions(panel: Panel, o: Partial<ModelOptions> & { horizon: number }, holdOut: number): ModelOptions {
  posInt('--horizon', o.horizon);
  const season = o.season ?? detectPanelSeason(panel, holdOut);
  posInt('--season', season);
  const H = o.horizon;
  // Bounded by the data before anything is sized by them: a season or window longer than every
  // series describes nothing in it (and would size the window tensors).
  const longest = panel.series.reduce((n, s) => Math.max(n, s.y.length), 0);
  if (o.season !== undefined && season > Math.max(longest, 1)) {
    throw new ConfigError(`[forecast] --season must be at most the longest series' length, ${longest} points; received ${season}. Hint: the season is the period in steps (12 for monthly data with a yearly cycle).`);
  }
  const defaultLookback = Math.max(2 * season, Math.min(H, 24), 8);
  const lookback = o.lookback ?? defaultLookback;
  posInt('--lookback', lookback);
  if (o.lookback !== undefined && lookback > Math.max(longest, defaultLookback)) {
    throw new ConfigError(`[forecast] --lookback must be at most the longest series' length, ${longest} points; received ${lookback}. Hint: a window longer than every series holds only padding.`);
  }
  const head = o.head ?? 'quantile';
  if (!HEADS.includes(head)) throw new ConfigError(`[forecast] --head must be one of ${HEADS.join(', ')}; received '${String(head)}'.`);
  if (head === 'negbin') {
    for (const s of panel.series) {
      for (let t = 0; t < s.y.length; t++) {
        if (s.y[t] < 0) {
          throw new ConfigError(`[forecast] the negative-binomial head models counts ≥ 0, but series '${s.id}' has ${s.y[t]} at point ${t + 1}. Hint: use --head quantile or gaussian.`);
        }
      }
    }
  }
  const transform = o.transform ?? 'none';
  if (transform !== 'none' && transform !== 'log') throw new ConfigError(`[forecast] --transform must be none or log; received '${String(transform)}'.`);
  if (transform === 'log' && head === 'negbin') throw new ConfigError('[forecast] the negative-binomial head models the counts themselves; --transform log does not apply. Hint: drop --transform, or use --head quantile.');
  if (transform === 'log') {
    for (const s of panel.series) {
      for (let t = 0; t < s.y.length; t++) {
        if (s.y[t] < 0) throw new ConfigError(`[forecast] --transform log models log(1 + y) and needs y ≥ 0, but series '${s.id}' has ${s.y[t]} at point ${t + 1}. Hint: leave --transform out for data that can be negative.`);
      }
    }
  }
  const intervals = o.intervals ?? [0.8, 0.95];
  if (intervals.length === 0) throw new ConfigError('[forecast] --intervals needs at least one coverage, e.g. 80,95.');
  for (const c of intervals) if (!(c > 0 && c < 1)) throw new ConfigError(`[forecast] interval coverages must lie between 0 and 100%; received ${c * 100}%.`);
  const r: ModelOptions = {
    horizon: H,
    lookback,
    season,
    head,
    transform,
    deseasonalize: o.deseasonalize ?? false,
    trend: o.trend ?? 0,
    intervals: [...intervals].sort((a, b) => a - b),
    hidden: o.hidden ?? 32,
    layers: o.layers ?? 1,
    dropout: o.dropout ?? 0,
    embeddingDim: o.embeddingDim ?? 0,
    epochs: o.epochs ?? 30,
    batchSize: o.batchSize ?? 32,
    lr: o.lr ?? 0.005,
    weightDecay: o.weightDecay ?? 0,
    seed: o.seed ?? 0,
    windowsPerEpoch: o.windowsPerEpoch ?? null,
    validation: o.validation ?? false,
    patience: o.patience ?? null,
    samples: o.samples ?? 500,
    augment: o.augment ?? 'none',
    conformal: o.conformal ?? false,
    ensemble: o.ensemble ?? 1,
  };
  posInt('--ensemble', r.ensemble);
  if (r.augment !== 'none' && r.augment !== 'flip') throw new ConfigError(`[forecast] --augment must be none or flip; received '${String(r.augment)}'.`);
  posInt('--hidden', r.hidden);
  posInt('--layers', r.layers);
  posInt('--embedding', r.embeddingDim, 0);
  posInt('--epochs', r.epochs, 0);
  posInt('--batch-size', r.batchSize);
  posInt('--seed', r.seed, 0);
  posInt('--samples', r.samples, 0);
  if (r.windowsPerEpoch !== null) posInt('--windows-per-epoch', r.windowsPerEpoch);
  if (r.patience !== null) posInt('--patience', r.patience);
  if (!(r.lr > 0 && Number.isFinite(r.lr))) throw new ConfigError(`[forecast] --lr must be a number > 0; received ${r.lr}.`);
  if (!(r.trend >= 0 && r.trend <= 1)) throw new ConfigError(`[forecast] --damped-trend must lie in [0, 1] (0 = none); received ${r.trend}.`);
  if (r.trend > 0 && r.head === 'negbin') throw new ConfigError('[forecast] the negative-binomial head models the counts themselves; --damped-trend does not apply.');
  if (!(r.weightDecay >= 0 && Number.isFinite(r.weightDecay))) throw new ConfigError(`[forecast] --weight-decay must be a number ≥ 0; received ${r.weightDecay}.`);
  if (!(r.dropout >= 0 && r.dropout < 1)) throw new ConfigError(`[forecast] --dropout must lie in [0, 1); received ${r.dropout}.`);
  return r;
}

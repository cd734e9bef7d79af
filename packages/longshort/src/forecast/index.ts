// Forecasting many series with one global LSTM: panels and covariates, streamed windows, the
// network and its training loop, quantile and distribution heads, baselines, backtests and grid
// search. Browser-safe.
export { detectStep, addSteps, timeAt, formatTime, panelFromTable, panelFromArrays, addFutureRows } from './panel.js';
export type { Panel, PanelSeries, PanelOptions, CalendarFeature } from './panel.js';
export { WindowBuilder, WindowIndex, fitScaling, seasonalProfile, seriesScale, inputNames, scalingToJSON, scalingFromJSON } from './windows.js';
export type { WindowSpec, WindowBatch, FoldScaling, FoldScalingJSON, HeadKind, Transform } from './windows.js';
export { ForecastNet, trainNet, predictRaw, headLoss, ensembleContainer, membersFromContainer, memberSuffix } from './model.js';
export type { NetConfig, TrainOptions, TrainResult } from './model.js';
export { decodeForecasts, gaussianForecast, reportLevels, levelIndex, sortedQuantile, DECILES, interval as forecastInterval } from './heads.js';
export type { Forecast, HeadDecodeOptions } from './heads.js';
export {
  BASELINES,
  baselineLabel,
  baselineForecast,
  naive as naiveBaseline,
  seasonalNaive as seasonalNaiveBaseline,
  drift as driftBaseline,
  seasonalNaiveDrift as seasonalNaiveDriftBaseline,
  holtWinters as holtWintersBaseline,
  fitHoltWinters,
  holtWintersForecast,
  holtWintersFilter,
  holtWintersInit,
} from './baselines.js';
export type { BaselineName, PointSd, HoltWintersFit, HoltWintersParams, HoltWintersState } from './baselines.js';
export {
  backtest,
  foldCutoff,
  checkBacktest,
  checkFoldsFit,
  scoreForecast,
  forecastFuture,
  baselineFuture,
  calibrationFactors,
  applyCalibration,
  combineForecasts,
  memberConfig,
  specOf,
} from './backtest.js';
export type { ModelOptions, BacktestOptions, BacktestReport, BacktestCallbacks, FoldReport, SeriesFold, Scores, Method, ResumePoint } from './backtest.js';
export { resolveModelOptions, detectPanelSeason, HEADS } from './options.js';
export { gridSearch, parseGrid, defaultGrid, combinations, truncatePanel, GRID_KEYS } from './search.js';
export type { Grid, SearchRow, SearchResult, SearchCallbacks } from './search.js';

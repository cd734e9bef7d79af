// Forecast and classification metrics, forecast baselines and seasonal-period detection.
export * from './forecast.js';
export * from './classification.js';

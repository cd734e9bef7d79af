// Data preparation for forecasting: CSV → typed columns → gap-free series → windows and splits →
// scaled inputs. All browser-safe (reading files is the caller's job).
export * from './csv.js';
export * from './missing.js';
export * from './windows.js';

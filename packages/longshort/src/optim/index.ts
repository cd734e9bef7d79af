// Optimizers, gradient clipping and learning-rate schedules. Formulas as implemented:
// docs/training-math.md.

export { Optimizer } from './optimizer.js';
export type { OptimizerState, Hyper, HasLr, HyperSpec, HyperKind } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { clipGradNorm, clipGradValue, globalNorm } from './clip.js';
export { StepLR, ExponentialLR, CosineWithWarmup, ReduceLROnPlateau } from './schedules.js';
export type { LrSchedule, Scheduler, ScheduleState, CosineWithWarmupOptions, ReduceLROnPlateauOptions } from './schedules.js';

// Finite-difference gradient checking in float64, shared by every layer's tests (LSTM included).
// `gradCheck` is the general tool: hand it a function that recomputes a scalar loss from the
// current contents of some Float64Arrays, plus the analytic gradient of each; it perturbs every
// entry by ±eps (central differences), compares with `|analytic − numeric| ≤ atol + rtol·|numeric|`
// and reports the worst entries with decoded multi-indices (`weight[3,1]: analytic 0.4121 numeric
// 0.4188`). `checkLayerGradients` wraps it for anything implementing Layer, using the loss
// L = Σ y ⊙ R with a fixed seeded random R (so softmax outputs, whose plain sum is constant, are
// still tested). Browser-safe; no test-runner dependency: `assertGradCheck` throws a plain Error.
// Left out: float32 checking (eps would drown in rounding), second derivatives.

import { Tensor, type Arr } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { CallContext, Layer } from './layer.js';

/** One array to differentiate with respect to. */
export interface GradTarget {
  /** Shown in the report: 'x', 'weight', 'weight_ih_l0', 'h0'. */
  name: string;
  /** Used to decode flat indices in the report; its product must equal value.length. */
  shape: readonly number[];
  /** Perturbed in place while checking, restored bit-for-bit afterwards. Must be float64. */
  value: Arr;
  /** dLoss/dValue from the backward pass under test (copied before any perturbation). */
  analytic: ArrayLike<number>;
}

export interface GradCheckOptions {
  /** Central-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-6. */
  atol?: number;
  /** Relative tolerance, times |numeric|. Default 1e-5. */
  rtol?: number;
  /** Check at most this many entries per target (a seeded random subset); default: all. */
  maxPerTarget?: number;
  /** Seed for the subset choice. Default 0. */
  seed?: number;
  /** How many worst entries the report lists. Default 5. */
  reportCount?: number;
  /**
   * A target whose checked numeric gradient is zero everywhere proves nothing about its backward,
   * so by default it fails the check ("vacuous"). Set true where an all-zero gradient is the point.
   */
  allowZeroGrad?: boolean;
}

export interface GradEntry {
  name: string;
  /** Decoded multi-index, e.g. [3, 1] for weight[3,1]. */
  index: number[];
  flat: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| */
  absErr: number;
  /** atol + rtol·|numeric| */
  tol: number;
}

export interface TargetSummary {
  name: string;
  checked: number;
  failed: number;
  maxAbsErr: number;
  /** Largest |numeric| seen: 0 means this target's check was vacuous. */
  maxAbsNumeric: number;
}

export interface GradCheckReport {
  ok: boolean;
  checked: number;
  failed: number;
  maxAbsErr: number;
  /** Up to reportCount entries, worst (largest absErr/tol) first; failing or not. */
  worst: GradEntry[];
  targets: TargetSummary[];
  /** Names of targets whose numeric gradient was zero everywhere (fail unless allowZeroGrad). */
  vacuous: string[];
  /** Multi-line human-readable result, suitable for an assertion message. */
  summary: string;
}

/**
 * Compare analytic gradients with central differences of `loss`.
 * `loss` must read the current contents of every target's `value` and must not change them.
 */
export function gradCheck(loss: () => number, targets: readonly GradTarget[], options: GradCheckOptions = {}): GradCheckReport {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const reportCount = options.reportCount ?? 5;
  const maxPer = options.maxPerTarget ?? Infinity;
  if (!(eps > 0)) throw new ConfigError(`[gradCheck] eps must be positive; received ${eps}.`);
  if (!(atol >= 0 && rtol >= 0)) throw new ConfigError(`[gradCheck] atol and rtol must be ≥ 0; received atol=${atol}, rtol=${rtol}.`);
  for (const t of targets) {
    if (!(t.value instanceof Float64Array)) {
      throw new ConfigError(
        `[gradCheck] target '${t.name}' must be a Float64Array; received ${t.value.constructor.name}. ` +
          `Hint: build the layer and its input with dtype: 'float64' — float32 rounding swamps finite differences.`,
      );
    }
    let n = 1;
    for (const d of t.shape) n *= d;
    if (n !== t.value.length || t.analytic.length !== t.value.length) {
      throw new ConfigError(
        `[gradCheck] target '${t.name}': shape (${t.shape.join(', ')}) has ${n} entries, value has ${t.value.length}, ` +
          `analytic has ${t.analytic.length}; all three must agree.`,
      );
    }
  }
  const rng = new Rng(options.seed ?? 0);
  const all: GradEntry[] = [];
  const summaries: TargetSummary[] = [];
  const vacuous: string[] = [];
  let checked = 0;
  let failed = 0;
  let maxAbsErr = 0;

  for (const t of targets) {
    // Snapshot: the analytic array may be a live grad buffer that someone else could touch.
    const analytic = Float64Array.from(t.analytic);
    const v = t.value;
    const n = v.length;
    let indices: ArrayLike<number>;
    if (n > maxPer) {
      const pick = rng.permutation(n).slice(0, maxPer);
      pick.sort();
      indices = pick;
    } else {
      const every = new Int32Array(n);
      for (let i = 0; i < n; i++) every[i] = i;
      indices = every;
    }
    const s: TargetSummary = { name: t.name, checked: 0, failed: 0, maxAbsErr: 0, maxAbsNumeric: 0 };
    for (let q = 0; q < indices.length; q++) {
      const i = indices[q];
      const orig = v[i];
      v[i] = orig + eps;
      const lp = loss();
      v[i] = orig - eps;
      const lm = loss();
      v[i] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const a = analytic[i];
      const absErr = Math.abs(a - numeric);
      const tol = atol + rtol * Math.abs(numeric);
      // Written so that NaN anywhere counts as a failure.
      const bad = !(absErr <= tol);
      s.checked++;
      if (bad) s.failed++;
      if (absErr > s.maxAbsErr || Number.isNaN(absErr)) s.maxAbsErr = absErr;
      if (Math.abs(numeric) > s.maxAbsNumeric) s.maxAbsNumeric = Math.abs(numeric);
      all.push({ name: t.name, index: unravel(i, t.shape), flat: i, analytic: a, numeric, absErr, tol });
    }
    checked += s.checked;
    failed += s.failed;
    if (s.maxAbsErr > maxAbsErr || Number.isNaN(s.maxAbsErr)) maxAbsErr = s.maxAbsErr;
    if (s.checked > 0 && !(s.maxAbsNumeric > atol)) vacuous.push(t.name);
    summaries.push(s);
  }

  // How far outside its tolerance an entry is; NaN errors rank first. Compared with < and >, not
  // subtraction, because Infinity − Infinity is NaN and would scramble the order.
  const badness = (e: GradEntry): number =>
    Number.isNaN(e.absErr) ? Infinity : e.tol > 0 ? e.absErr / e.tol : e.absErr > 0 ? Infinity : 0;
  all.sort((p, q) => {
    const bp = badness(p);
    const bq = badness(q);
    return bp > bq ? -1 : bp < bq ? 1 : 0;
  });
  const worst = all.slice(0, reportCount);
  const vacuousFails = options.allowZeroGrad ? [] : vacuous;
  const ok = failed === 0 && vacuousFails.length === 0;

  const lines: string[] = [];
  lines.push(
    `gradcheck ${ok ? 'passed' : 'FAILED'}: ${failed} of ${checked} entries outside atol ${fmt(atol)} + rtol ${fmt(rtol)}·|numeric| ` +
      `(central differences, eps ${fmt(eps)}); max |diff| ${fmt(maxAbsErr)}`,
  );
  for (const e of worst) {
    lines.push(
      `  ${entryLabel(e)}: analytic ${fmt(e.analytic, 6)} numeric ${fmt(e.numeric, 6)} ` +
        `(|diff| ${fmt(e.absErr)} ${e.absErr <= e.tol ? '≤' : '>'} tol ${fmt(e.tol)})`,
    );
  }
  lines.push(
    `  per target: ${summaries.map((s) => `${s.name} ${s.failed}/${s.checked} bad, max |grad| ${fmt(s.maxAbsNumeric, 3)}`).join('; ')}`,
  );
  if (vacuousFails.length > 0) {
    lines.push(
      `  vacuous: the numeric gradient of ${vacuousFails.join(', ')} is 0 at every checked entry, so its backward was not tested. ` +
        `Hint: change the input or loss, or pass allowZeroGrad: true if zero is expected.`,
    );
  }
  return { ok, checked, failed, maxAbsErr, worst, targets: summaries, vacuous, summary: lines.join('\n') };
}

/** Throw an Error carrying the report's summary unless the check passed. */
export function assertGradCheck(report: GradCheckReport, label = ''): void {
  if (!report.ok) throw new Error(`${label ? `${label}: ` : ''}${report.summary}`);
}

export interface LayerGradCheckOptions extends GradCheckOptions {
  /** Context for every forward (default { training: false }). Its rng, if any, is rewound before each forward so dropout masks repeat. */
  ctx?: CallContext;
  /** Also check dL/dx (default true; false for integer inputs such as Embedding ids). */
  checkInput?: boolean;
  /** Only these parameter names (default: all of layer.params()). */
  params?: readonly string[];
  /** Seed of the random output weighting R in L = Σ y ⊙ R. Default 1. */
  lossSeed?: number;
}

/**
 * Gradient check of a layer's callBackward against its call, for the input and every parameter.
 * Zeroes the layer's parameter gradients (and leaves them holding dL/dθ for L = Σ y ⊙ R).
 */
export function checkLayerGradients(layer: Layer, x: Tensor, options: LayerGradCheckOptions = {}): GradCheckReport {
  const where = 'checkLayerGradients';
  if (layer.dtype !== 'float64') {
    throw new ConfigError(
      `[${where}] layer ${layer.kind} must have dtype float64; received ${layer.dtype}. Hint: construct it with dtype: 'float64'.`,
    );
  }
  const checkInput = options.checkInput ?? true;
  if (checkInput && x.dtype !== 'float64') {
    throw new ConfigError(`[${where}] x must be float64 to check dL/dx; received ${x.dtype}. Hint: pass checkInput: false for id inputs.`);
  }
  const ctx: CallContext = options.ctx ?? { training: false };
  const rngState = ctx.rng?.getState();
  const forward = (): Tensor => {
    if (ctx.rng !== undefined && rngState !== undefined) ctx.rng.setState(rngState);
    return layer.call(x, ctx);
  };

  layer.zeroGrad();
  const y0 = forward();
  const R = new Tensor(new Float64Array(y0.size), y0.shape);
  const lr = new Rng(options.lossSeed ?? 1);
  for (let i = 0; i < R.size; i++) R.data[i] = lr.uniform(-1, 1);
  const dx = layer.callBackward(R);

  const targets: GradTarget[] = [];
  if (checkInput) targets.push({ name: 'x', shape: x.shape, value: x.data, analytic: Float64Array.from(dx.data) });
  const wanted = options.params;
  const params = layer.params();
  if (wanted !== undefined) {
    const names = new Set(params.map((p) => p.name));
    for (const w of wanted) {
      if (!names.has(w)) {
        throw new ConfigError(`[${where}] ${layer.kind} has no parameter '${w}'; it has: ${[...names].join(', ') || '(none)'}.`);
      }
    }
  }
  for (const p of params) {
    if (wanted !== undefined && !wanted.includes(p.name)) continue;
    targets.push({ name: p.name, shape: p.shape, value: p.value, analytic: Float64Array.from(p.grad) });
  }
  const loss = (): number => {
    const y = forward();
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * R.data[i];
    return s;
  };
  return gradCheck(loss, targets, options);
}

/** Flat row-major index → multi-index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return idx;
}

function entryLabel(e: GradEntry): string {
  return e.index.length === 0 ? e.name : `${e.name}[${e.index.join(',')}]`;
}

/** Gradient values with 6 significant digits (so near misses show), errors and tolerances with 3. */
function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(digits))) : v.toExponential(digits - 1);
}

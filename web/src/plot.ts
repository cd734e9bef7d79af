// The page's line charts (loss, metric, prediction) and the symbols strip, drawn on a canvas.
//
// Why not Vega-Lite here (the command line's charts are Vega-Lite): the page redraws while it
// trains, and every redraw must fit in a frame with room to spare (no task of 50 ms or more).
// Measured in headless Chromium on the 2-core test machine, busy with other jobs: updating a Vega
// view's data took 8 ms (median) to 120 ms for a 200-point loss line, and 91 ms (median) to 300 ms
// for the gate heatmap (630 ms to build it); the page's own canvas drawing takes 1–3 ms of script
// per frame (Chromium trace), the browser's layout and paint a few more. So the page draws itself:
// axes with round ticks, lines, a legend in the DOM (readable by screen readers and tests).
// Left out: zoom, tooltips on lines (the gate view has its own hover read-out).

export interface Series {
  name: string;
  color: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Dash pattern for the line; default solid. */
  dash?: number[];
  /** Draw a dot at each point (default: when there are at most 60 points). */
  points?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel?: string;
  height: number;
  /** Log y axis: true, false, or 'auto' (when every y > 0 and they span more than a factor of 20). */
  log?: boolean | 'auto';
  /** x values are whole numbers (epochs, steps): ticks on integers only. */
  integerX?: boolean;
  /** Always include these y values in the axis range (e.g. 0 and 1 for accuracy). */
  yInclude?: number[];
  /** A labelled horizontal reference line (e.g. MASE 1 = the naive forecast). */
  reference?: { y: number; label: string };
}

/** 1, 2, 5 × 10^k ticks covering [lo, hi], about `count` of them; with `integer`, whole numbers only. */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const out: number[] = [];
  // from whole multiples of the step, rounded: adding steps up would drift (1.2000000000000002)
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toFixed(digits)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** A canvas sized to its container's width in CSS pixels, drawn at the device's pixel ratio. */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const w = Math.max(1, Math.round(width));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, height);
  return ctx;
}

export class LineChart {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly legend: HTMLElement;
  private readonly caption: HTMLElement;
  private series: Series[] = [];
  private legendKey = '';
  /** Content width in CSS pixels, reported by the page's ResizeObserver (reading it here would force a layout). */
  width = 400;

  constructor(root: HTMLElement, private readonly o: LineChartOptions) {
    this.root = root;
    root.classList.add('chart');
    this.caption = document.createElement('figcaption');
    this.caption.textContent = o.title;
    this.legend = document.createElement('ul');
    this.legend.className = 'legend';
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', o.title);
    root.replaceChildren(this.caption, this.legend, this.canvas);
  }

  setTitle(title: string): void {
    if (this.caption.textContent !== title) this.caption.textContent = title;
    this.canvas.setAttribute('aria-label', title);
  }

  set(series: Series[], options: Partial<LineChartOptions> = {}): void {
    this.series = series;
    Object.assign(this.o, options);
    const key = series.map((s) => `${s.name}|${s.color}`).join(';') + (this.o.reference?.label ?? '');
    if (key !== this.legendKey) {
      this.legendKey = key;
      const items = series.map((s) => {
        const li = document.createElement('li');
        li.innerHTML = `<i style="border-color:${s.color};border-style:${s.dash ? 'dashed' : 'solid'}"></i>`;
        li.append(s.name);
        return li;
      });
      if (this.o.reference) {
        const li = document.createElement('li');
        li.innerHTML = '<i class="ref"></i>';
        li.append(this.o.reference.label);
        items.push(li);
      }
      this.legend.replaceChildren(...items);
    }
  }

  draw(): void {
    const width = this.width;
    const H = this.o.height;
    const ctx = fitCanvas(this.canvas, width, H);
    // the data's extent (finite points only)
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const s of this.series) {
      for (let k = 0; k < s.x.length; k++) {
        const x = s.x[k], y = s.y[k];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    ctx.font = '11px "DejaVu Sans", Helvetica, Arial, sans-serif';
    ctx.fillStyle = '#555';
    if (x0 > x1) {
      ctx.fillText('no data yet', 8, H / 2);
      return;
    }
    for (const v of [...(this.o.yInclude ?? []), ...(this.o.reference ? [this.o.reference.y] : [])]) {
      y0 = Math.min(y0, v);
      y1 = Math.max(y1, v);
    }
    const log = this.o.log === true || (this.o.log === 'auto' && y0 > 0 && y1 / y0 > 20);
    if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
    if (!log) {
      if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
      const pad = 0.05 * (y1 - y0);
      [y0, y1] = [y0 - pad, y1 + pad];
    }
    const ty = (v: number): number => (log ? Math.log10(v) : v);
    const [ly0, ly1] = log ? [Math.floor(Math.log10(y0)), Math.ceil(Math.log10(y1))] : [y0, y1];
    const yTicks = log ? Array.from({ length: ly1 - ly0 + 1 }, (_, k) => 10 ** (ly0 + k)) : niceTicks(y0, y1, 4);
    const yLabels = yTicks.map(fmt);
    const left = 8 + Math.max(...yLabels.map((s) => ctx.measureText(s).width)) + (this.o.yLabel ? 14 : 0);
    const right = 10, top = 8, bottom = 30;
    const pw = Math.max(10, width - left - right), ph = H - top - bottom;
    const px = (v: number): number => left + ((v - x0) / (x1 - x0)) * pw;
    const py = (v: number): number => top + ph - ((ty(v) - ly0) / (ly1 - ly0)) * ph;

    // grid and axes
    ctx.strokeStyle = '#e4e4e4';
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    yTicks.forEach((v, k) => {
      const y = Math.round(py(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + pw, y);
      ctx.stroke();
      ctx.fillText(yLabels[k], left - 4, y);
    });
    const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(pw / 60)), this.o.integerX === true);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of xTicks) ctx.fillText(fmt(v), px(v), top + ph + 4);
    ctx.fillText(this.o.xLabel, left + pw / 2, top + ph + 17);
    if (this.o.yLabel) {
      ctx.save();
      ctx.translate(9, top + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(this.o.yLabel, 0, -6);
      ctx.restore();
    }
    ctx.strokeStyle = '#999';
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, top + ph + 0.5);
    ctx.lineTo(left + pw, top + ph + 0.5);
    ctx.stroke();

    if (this.o.reference) {
      ctx.strokeStyle = '#888';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(left, py(this.o.reference.y));
      ctx.lineTo(left + pw, py(this.o.reference.y));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    // lines
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 2, pw + 2, ph + 4);
    ctx.clip();
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath();
      let pen = false;
      for (let k = 0; k < s.x.length; k++) {
        if (!Number.isFinite(s.y[k]) || (log && s.y[k] <= 0)) {
          pen = false;
          continue;
        }
        const X = px(s.x[k]), Y = py(s.y[k]);
        if (pen) ctx.lineTo(X, Y);
        else ctx.moveTo(X, Y);
        pen = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.points ?? s.x.length <= 60) {
        for (let k = 0; k < s.x.length; k++) {
          if (!Number.isFinite(s.y[k]) || (log && s.y[k] <= 0)) continue;
          ctx.beginPath();
          ctx.arc(px(s.x[k]), py(s.y[k]), 2, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.restore();
  }
}

/**
 * The symbols task's display window as three rows of letters: what the network reads, the target
 * (the symbol two steps back) and its prediction, green where right and red where wrong.
 */
export function drawSymbolStrip(canvas: HTMLCanvasElement, width: number, inputs: readonly string[], targets: readonly string[], predicted: readonly string[]): void {
  const rows: [string, readonly string[]][] = [['input', inputs], ['target', targets], ['predicted', predicted]];
  const H = 22 * rows.length + 8;
  const ctx = fitCanvas(canvas, width, H);
  ctx.font = '12px "DejaVu Sans", Helvetica, Arial, sans-serif';
  ctx.textBaseline = 'middle';
  const left = 70;
  const T = inputs.length;
  const cw = Math.max(6, (width - left - 4) / T);
  rows.forEach(([name, letters], r) => {
    const y = 4 + 22 * r + 11;
    ctx.fillStyle = '#444';
    ctx.textAlign = 'left';
    ctx.fillText(name, 0, y);
    ctx.textAlign = 'center';
    for (let t = 0; t < T; t++) {
      if (r === 2) {
        const ok = letters[t] === targets[t];
        ctx.fillStyle = ok ? '#dff0d8' : '#f8d7da';
        ctx.fillRect(left + t * cw + 0.5, y - 10, cw - 1, 20);
        ctx.fillStyle = ok ? '#2d6a2d' : '#a12622';
      } else {
        ctx.fillStyle = '#222';
      }
      ctx.fillText(letters[t], left + (t + 0.5) * cw, y);
    }
  });
}

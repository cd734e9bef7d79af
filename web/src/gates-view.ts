// The gate view: what the first LSTM layer does at every time step of the held-out window, one
// block per quantity in the order of the page's equations — f, i, g, c, o, h — each block one row
// per hidden unit (labelled f0, f1, …) and one column per time step.
//
// Scales, because the quantities live on different ranges:
//   f, i, o   sigmoid gates, 0..1            sequential blues (0 = closed, 1 = open)
//   g, h      tanh, −1..1                    diverging blue–white–orange
//   c         unbounded                      diverging, ±D with D a round number (1, 2, 3, 5, 10, …)
//             covering 98 % of the |c| of all units; cells beyond ±D take the end colour and get a
//             white corner mark, and the legend says how many are on show and the largest |c| there.
// Reading it: hovering (or moving with the arrow keys on a focused block) names the step, the unit
// and the value below the view and outlines that unit in every block; "follow one unit" shows only
// that unit's six rows (click a cell, or pick the unit), to trace one memory cell through the gates.
// Drawing: each block is one ImageData filled from a colour table (a fill per cell, a copy per
// pixel row), and it never forces a layout (widths come from the page's ResizeObserver);
// labels and legends are DOM elements, rebuilt only when the hidden size, steps or follow state change.

export interface GateFrame {
  /** (6, H, T): f, i, g, c, o, h. */
  values: Float32Array;
  hidden: number;
  steps: number;
  /** What each step reads (for the hover read-out and the axis). */
  labels: string[];
  epoch: number;
}

type Scale = 'gate' | 'tanh' | 'cell';

export const GROUPS: readonly { key: string; name: string; scale: Scale; note: string }[] = [
  { key: 'f', name: 'forget gate', scale: 'gate', note: 'σ, 0 = forget, 1 = keep' },
  { key: 'i', name: 'input gate', scale: 'gate', note: 'σ, how much of g to write' },
  { key: 'g', name: 'candidate', scale: 'tanh', note: 'tanh, −1..1' },
  { key: 'c', name: 'cell state', scale: 'cell', note: 'f ⊙ c + i ⊙ g, unbounded' },
  { key: 'o', name: 'output gate', scale: 'gate', note: 'σ, how much of the cell to show' },
  { key: 'h', name: 'hidden state', scale: 'tanh', note: 'o ⊙ tanh(c), −1..1' },
];

/** Units shown at once; more would not leave room for a label per row. Follow a unit to see any. */
export const MAX_UNITS = 16;
/** Column widths of .gate-body in style.css: labels, legend, and the gap between columns. */
const LABELS_PX = 34, LEGEND_PX = 92, GAP_PX = 6;

const SEQ: [number, string][] = [[0, '#f7fbff'], [0.25, '#c6dbef'], [0.5, '#6baed6'], [0.75, '#2171b5'], [1, '#08306b']];
const DIV: [number, string][] = [[0, '#1c4f8a'], [0.25, '#79a9d4'], [0.5, '#f4f4f4'], [0.75, '#f2a55f'], [1, '#a8430d']];

function hex(c: string): [number, number, number] {
  return [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)) as [number, number, number];
}

/** 256 RGBA colours interpolated between the stops. */
function lut(stops: [number, string][]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < 256; k++) {
    const u = k / 255;
    let s = 0;
    while (s < stops.length - 2 && u > stops[s + 1][0]) s++;
    const [u0, c0] = stops[s], [u1, c1] = stops[s + 1];
    const w = (u - u0) / (u1 - u0);
    const a = hex(c0), b = hex(c1);
    for (let ch = 0; ch < 3; ch++) out[k * 4 + ch] = Math.round(a[ch] + w * (b[ch] - a[ch]));
    out[k * 4 + 3] = 255;
  }
  return out;
}
const LUT = { gate: lut(SEQ), tanh: lut(DIV), cell: lut(DIV) };
const gradient = (stops: [number, string][]): string => `linear-gradient(to right, ${stops.map(([u, c]) => `${c} ${u * 100}%`).join(', ')})`;

/** The smallest of 1, 2, 3, 5 × 10^k that is ≥ v (and ≥ 1). */
export function roundUp(v: number): number {
  if (!(v > 1)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 3, 5, 10].map((m) => m * mag).find((s) => s >= v - 1e-12)!;
}

/** The cell-state scale: a round D (≥ 1) covering 98 % of the given |c|. */
export function cellScale(abs: number[]): { D: number } {
  const sorted = abs.slice().sort((a, b) => a - b);
  // the smallest value with at least 98 % of them at or below it
  const p98 = sorted[Math.max(0, Math.ceil(0.98 * sorted.length) - 1)] ?? 0;
  return { D: roundUp(p98) };
}

interface Block {
  key: string;
  el: HTMLElement;
  canvas: HTMLCanvasElement;
  /** The block's pixels, kept between draws of the same size (a new one per frame would feed the garbage collector). */
  image: ImageData | null;
  legendNote: HTMLElement;
  legendTicks: HTMLElement;
}

export class GateView {
  private frame: GateFrame | null = null;
  private blocks: Block[] = [];
  private layoutKey = '';
  /** The cell under the pointer or the keyboard cursor. */
  private cursor: { group: number; unit: number; step: number } | null = null;
  private followed: number | null = null;
  private width = 600;
  /** Set when the view changes; the page's frame loop calls draw(). */
  dirty = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly readout: HTMLElement,
    private readonly followBox: HTMLInputElement,
    private readonly unitSelect: HTMLSelectElement,
    private readonly axis: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    followBox.addEventListener('change', () => this.follow(followBox.checked ? Number(unitSelect.value) : null));
    unitSelect.addEventListener('change', () => {
      followBox.checked = true;
      this.follow(Number(unitSelect.value));
    });
  }

  /** The units listed, in order. */
  units(): number[] {
    const H = this.frame?.hidden ?? 0;
    if (this.followed !== null && this.followed < H) return [this.followed];
    return Array.from({ length: Math.min(H, MAX_UNITS) }, (_, j) => j);
  }

  rowHeight(): number {
    return this.followed !== null ? 22 : 10;
  }

  set(frame: GateFrame): void {
    this.frame = frame;
    if (this.followed !== null && this.followed >= frame.hidden) this.followed = null;
    this.dirty = true;
  }

  /** Forget the frame (a new model is coming); the layout stays for the next frame of the same size. */
  clear(): void {
    this.frame = null;
    this.cursor = null;
    this.readout.textContent = '';
  }

  follow(unit: number | null): void {
    this.followed = unit;
    this.followBox.checked = unit !== null;
    if (unit !== null) this.unitSelect.value = String(unit);
    this.cursor = this.cursor === null ? null : { ...this.cursor, unit: unit ?? this.cursor.unit };
    this.dirty = true;
    this.onChange();
  }

  get followedUnit(): number | null {
    return this.followed;
  }

  /** Value of gate block g (0..5), unit j, step t of the current frame. */
  value(g: number, j: number, t: number): number {
    const f = this.frame!;
    return f.values[(g * f.hidden + j) * f.steps + t];
  }

  /** Rebuilds labels, legends and the unit picker when the hidden size, steps or follow state change; true when it did. */
  private layout(): boolean {
    const f = this.frame!;
    const units = this.units();
    const key = `${f.hidden}/${f.steps}/${this.followed}`;
    if (key === this.layoutKey) return false;
    this.layoutKey = key;
    if (this.unitSelect.options.length !== f.hidden) {
      this.unitSelect.replaceChildren(...Array.from({ length: f.hidden }, (_, j) => new Option(`unit ${j}`, String(j))));
    }
    if (this.followed !== null) this.unitSelect.value = String(this.followed);
    const rh = this.rowHeight();
    this.blocks = GROUPS.map((g, gi) => {
      const block = document.createElement('section');
      block.className = 'gate-block';
      block.dataset.gate = g.key;
      const title = document.createElement('h3');
      title.innerHTML = `<b>${g.key}</b> ${g.name} <small>${g.note}</small>`;
      const labels = document.createElement('div');
      labels.className = 'gate-labels';
      for (const j of units) {
        const s = document.createElement('span');
        s.className = 'row-label';
        s.textContent = `${g.key}${j}`;
        s.style.height = `${rh}px`;
        s.style.lineHeight = `${rh}px`;
        labels.append(s);
      }
      const canvas = document.createElement('canvas');
      canvas.className = 'gate-cells';
      canvas.tabIndex = 0;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${g.name} ${g.key}: one row per unit, one column per time step. Arrow keys move, Enter follows the unit.`);
      this.listen(canvas, gi);
      const legend = document.createElement('div');
      legend.className = 'gate-legend';
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.background = gradient(g.scale === 'gate' ? SEQ : DIV);
      const ticks = document.createElement('div');
      ticks.className = 'ticks';
      const note = document.createElement('small');
      legend.append(bar, ticks, note);
      const body = document.createElement('div');
      body.className = 'gate-body';
      body.append(labels, canvas, legend);
      block.append(title, body);
      return { key: g.key, el: block, canvas, image: null, legendNote: note, legendTicks: ticks };
    });
    const note = document.createElement('p');
    note.className = 'gate-note';
    note.textContent = this.followed !== null
      ? `Following unit ${this.followed} of ${f.hidden} through every gate.`
      : f.hidden > MAX_UNITS ? `Units 0–${MAX_UNITS - 1} of ${f.hidden} shown; follow a unit to see any of them.` : `All ${f.hidden} units.`;
    this.root.replaceChildren(note, ...this.blocks.map((b) => b.el));
    return true;
  }

  private listen(canvas: HTMLCanvasElement, group: number): void {
    const at = (e: MouseEvent): { unit: number; step: number } | null => {
      const f = this.frame;
      if (f === null) return null;
      const r = canvas.getBoundingClientRect();
      const units = this.units();
      const row = Math.floor(((e.clientY - r.top) / r.height) * units.length);
      const step = Math.floor(((e.clientX - r.left) / r.width) * f.steps);
      if (row < 0 || row >= units.length || step < 0 || step >= f.steps) return null;
      return { unit: units[row], step };
    };
    canvas.addEventListener('mousemove', (e) => {
      const p = at(e);
      this.point(p === null ? null : { group, ...p });
    });
    canvas.addEventListener('mouseleave', () => this.point(null));
    canvas.addEventListener('click', (e) => {
      const p = at(e);
      if (p !== null) this.follow(this.followed === p.unit ? null : p.unit);
    });
    canvas.addEventListener('focus', () => {
      if (this.cursor === null || this.cursor.group !== group) this.point({ group, unit: this.units()[0], step: 0 });
    });
    canvas.addEventListener('keydown', (e) => {
      const f = this.frame;
      if (f === null) return;
      const c = this.cursor ?? { group, unit: this.units()[0], step: 0 };
      const units = this.units();
      const row = Math.max(0, units.indexOf(c.unit));
      let next = { ...c, group };
      if (e.key === 'ArrowRight') next.step = Math.min(f.steps - 1, c.step + 1);
      else if (e.key === 'ArrowLeft') next.step = Math.max(0, c.step - 1);
      else if (e.key === 'ArrowDown') next.unit = units[Math.min(units.length - 1, row + 1)];
      else if (e.key === 'ArrowUp') next.unit = units[Math.max(0, row - 1)];
      else if (e.key === 'Home') next.step = 0;
      else if (e.key === 'End') next.step = f.steps - 1;
      else if (e.key === 'Enter' || e.key === ' ') {
        this.follow(this.followed === c.unit ? null : c.unit);
        next = { ...c, group };
      } else if (e.key === 'Escape') {
        this.follow(null);
      } else return;
      e.preventDefault();
      this.point(next);
    });
  }

  private point(p: { group: number; unit: number; step: number } | null): void {
    this.cursor = p;
    this.dirty = true;
    this.onChange();
  }

  /** The read-out for the cursor cell, e.g. "f forget gate · unit 3 · step 17 (reads B): 0.913". */
  describe(): string {
    const f = this.frame;
    const c = this.cursor;
    if (f === null) return '';
    if (c === null) return 'Point at a cell (or focus a block and use the arrow keys) to read its time step, unit and value; click to follow that unit.';
    const g = GROUPS[c.group];
    return `${g.key} ${g.name} · unit ${c.unit} · time step ${c.step} (reads ${f.labels[c.step]}): ${this.value(c.group, c.unit, c.step).toFixed(3)}`;
  }

  /** Width of the view's container in CSS pixels (the page's ResizeObserver reports it; no layout is forced). */
  resize(width: number): void {
    if (width !== this.width) {
      this.width = width;
      this.dirty = true;
    }
  }

  /** Width of the cell canvases: the container minus the label and legend columns and the gaps (style.css: .gate-body). */
  private cellsWidth(): number {
    return Math.max(40, Math.floor(this.width - LABELS_PX - LEGEND_PX - 2 * GAP_PX));
  }

  /** Draws the frame; after a new layout it only builds the DOM and stays dirty (the cells follow in the next frame). */
  draw(): void {
    this.dirty = false;
    const f = this.frame;
    if (f === null) return;
    if (this.layout()) {
      this.dirty = true;
      return;
    }
    const units = this.units();
    const rh = this.rowHeight();
    const T = f.steps;
    const width = this.cellsWidth();
    const height = rh * units.length;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const Wd = Math.round(width * dpr), Hd = Math.round(height * dpr);
    // where each time step's column starts, in device pixels (cells are filled as runs: the loops
    // below touch cells, not pixels, and the browser's own fill and copy do the rest)
    const colStart = Int32Array.from({ length: T + 1 }, (_, t) => Math.round((t * Wd) / T));
    const rowStart = Int32Array.from({ length: units.length + 1 }, (_, r) => Math.round(r * rh * dpr));
    // the cell scale from every unit's c (so following a unit keeps its colours); clipping counted among the cells on show
    const cAll: number[] = [];
    for (let j = 0; j < f.hidden; j++) for (let t = 0; t < T; t++) cAll.push(Math.abs(this.value(3, j, t)));
    const cs = cellScale(cAll);
    let shownMax = 0;
    for (const j of units) for (let t = 0; t < T; t++) shownMax = Math.max(shownMax, Math.abs(this.value(3, j, t)));
    const colour = new Int32Array(units.length * T); // LUT offset per cell
    this.blocks.forEach((b, gi) => {
      const scale = GROUPS[gi].scale;
      const D = scale === 'cell' ? cs.D : 1;
      const table = LUT[scale];
      const clipped: [number, number][] = [];
      units.forEach((j, r) => {
        for (let t = 0; t < T; t++) {
          const v = this.value(gi, j, t);
          // gates: 0..1 → 0..1; tanh and cell: −D..D → 0..1
          let u = scale === 'gate' ? v : (v / D + 1) / 2;
          if (u < 0 || u > 1) {
            clipped.push([r, t]);
            u = u < 0 ? 0 : 1;
          }
          colour[r * T + t] = Math.round(u * 255) * 4;
        }
      });
      if (b.canvas.width !== Wd || b.canvas.height !== Hd) {
        b.canvas.width = Wd;
        b.canvas.height = Hd;
        b.canvas.style.width = `${width}px`;
        b.canvas.style.height = `${height}px`;
      }
      const ctx = b.canvas.getContext('2d', { willReadFrequently: true })!;
      if (b.image === null || b.image.width !== Wd || b.image.height !== Hd) b.image = ctx.createImageData(Wd, Hd);
      const img = b.image;
      const px = new Uint32Array(img.data.buffer);
      const rgba = new Uint32Array(table.buffer);
      for (let r = 0; r < units.length; r++) {
        const first = rowStart[r] * Wd;
        for (let t = 0; t < T; t++) px.fill(rgba[colour[r * T + t] >> 2], first + colStart[t], first + colStart[t + 1]);
        for (let y = rowStart[r] + 1; y < rowStart[r + 1]; y++) px.copyWithin(y * Wd, first, first + Wd);
      }
      ctx.putImageData(img, 0, 0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const cw = width / T;
      // clipped cells: a white corner triangle
      ctx.fillStyle = '#fff';
      for (const [r, t] of clipped) {
        const m = Math.min(rh, cw) * 0.7;
        ctx.beginPath();
        ctx.moveTo(t * cw + cw, r * rh);
        ctx.lineTo(t * cw + cw, r * rh + m);
        ctx.lineTo(t * cw + cw - m, r * rh);
        ctx.fill();
      }
      // the cursor: its unit's row and its step's column in every block, the cell itself in its block
      const c = this.cursor;
      if (c !== null) {
        const r = units.indexOf(c.unit);
        ctx.strokeStyle = 'rgba(0,0,0,0.55)';
        ctx.lineWidth = 1;
        if (r >= 0 && units.length > 1) ctx.strokeRect(0.5, r * rh + 0.5, width - 1, rh - 1);
        ctx.strokeRect(c.step * cw + 0.5, 0.5, Math.max(1, cw - 1), height - 1);
        if (c.group === gi && r >= 0) {
          ctx.strokeStyle = '#000';
          ctx.lineWidth = 2;
          ctx.strokeRect(c.step * cw + 1, r * rh + 1, Math.max(1, cw - 2), rh - 2);
        }
      }
      // legend
      const ticks = scale === 'gate' ? ['0', '0.5', '1'] : [`−${D}`, '0', `+${D}`];
      if (b.legendTicks.textContent !== ticks.join('')) b.legendTicks.replaceChildren(...ticks.map((s) => Object.assign(document.createElement('span'), { textContent: s })));
      const note = scale === 'cell'
        ? clipped.length > 0 ? `◥ ${clipped.length} beyond ±${D} (largest ${shownMax.toFixed(2)})` : `none clipped (largest ${shownMax.toFixed(2)})`
        : '';
      if (b.legendNote.textContent !== note) b.legendNote.textContent = note;
    });
    this.drawAxis(width, dpr);
    const text = this.describe();
    if (this.readout.textContent !== text) this.readout.textContent = text;
  }

  /** Time-step axis under the blocks: step numbers, and what each step reads when it is a letter and there is room. */
  private drawAxis(width: number, dpr: number): void {
    const f = this.frame!;
    const offset = LABELS_PX + GAP_PX;
    const total = offset + width;
    const H = 30;
    if (this.axis.width !== Math.round(total * dpr) || this.axis.height !== Math.round(H * dpr)) {
      this.axis.width = Math.round(total * dpr);
      this.axis.height = Math.round(H * dpr);
      this.axis.style.width = `${total}px`;
      this.axis.style.height = `${H}px`;
    }
    const ctx = this.axis.getContext('2d', { willReadFrequently: true })!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, total, H);
    ctx.font = '10px "DejaVu Sans", Helvetica, Arial, sans-serif';
    ctx.fillStyle = '#444';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const cw = width / f.steps;
    const every = Math.max(1, Math.ceil(28 / cw));
    const letters = f.labels.every((s) => s.length <= 1) && cw >= 7;
    for (let t = 0; t < f.steps; t++) {
      const x = offset + (t + 0.5) * cw;
      if (letters) ctx.fillText(f.labels[t], x, 0);
      if (t % every === 0) ctx.fillText(String(t), x, letters ? 12 : 2);
    }
    ctx.textAlign = 'left';
    ctx.fillText(letters ? 'reads · time step' : 'time step', 0, letters ? 22 : 14);
  }
}

// Outline glyph → pen trajectories, for making single-stroke fonts out of handwriting-style outline
// fonts (scripts/handwriting/make-skeleton-fonts.ts). A glyph's outline is filled into a bitmap,
// thinned to a one-pixel skeleton (Zhang & Suen 1984, "A fast parallel algorithm for thinning
// digital patterns", CACM 27(3)), cut into a graph (ends and junctions joined by pixel chains),
// pruned of short spurs, and walked the way a pen goes: from the leftmost free end, straight on
// through crossings, lifting only when no line is left at the pen.
// Left out: stroke order from the font's own design (it is not in an outline font), pressure.
//
// Pixel frame: x right, y down, pixel (x, y) covers [x, x+1) × [y, y+1).

/** A bitmap: 1 = ink. */
export interface Bitmap {
  w: number;
  h: number;
  px: Uint8Array;
}

/** Fills closed polygons (x0, y0, x1, y1, …, in pixels) with the nonzero winding rule, sampling pixel centres. */
export function fillPolygons(polys: readonly number[][], w: number, h: number): Bitmap {
  const px = new Uint8Array(w * h);
  const xs: { x: number; dir: number }[] = [];
  for (let y = 0; y < h; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (const p of polys) {
      const n = p.length / 2;
      for (let i = 0; i < n; i++) {
        const x0 = p[2 * i];
        const y0 = p[2 * i + 1];
        const x1 = p[(2 * i + 2) % p.length];
        const y1 = p[(2 * i + 3) % p.length];
        if (y0 === y1) continue;
        const up = y0 < y1;
        const lo = up ? y0 : y1;
        const hi = up ? y1 : y0;
        if (cy < lo || cy >= hi) continue;
        xs.push({ x: x0 + ((cy - y0) * (x1 - x0)) / (y1 - y0), dir: up ? 1 : -1 });
      }
    }
    xs.sort((a, b) => a.x - b.x);
    let wind = 0;
    for (let k = 0; k < xs.length - 1; k++) {
      wind += xs[k].dir;
      if (wind === 0) continue;
      const a = Math.max(0, Math.ceil(xs[k].x - 0.5));
      const b = Math.min(w - 1, Math.floor(xs[k + 1].x - 0.5));
      for (let x = a; x <= b; x++) px[y * w + x] = 1;
    }
  }
  return { w, h, px };
}

// neighbours P2 … P9 clockwise from north, as Zhang and Suen number them
const NX = [0, 1, 1, 1, 0, -1, -1, -1];
const NY = [-1, -1, 0, 1, 1, 1, 0, -1];

/**
 * Gives `id` to every pixel 8-connected to `seed` through pixels that `accept` takes (and that have
 * no label yet); returns their mean position (pixel corners).
 */
function flood(w: number, h: number, seed: number, label: Int32Array, id: number, accept: (i: number) => boolean): { x: number; y: number } {
  const stack = [seed];
  label[seed] = id;
  let sx = 0;
  let sy = 0;
  let n = 0;
  while (stack.length > 0) {
    const j = stack.pop()!;
    const x = j % w;
    const y = (j - x) / w;
    [sx, sy, n] = [sx + x, sy + y, n + 1];
    for (let k = 0; k < 8; k++) {
      const xx = x + NX[k];
      const yy = y + NY[k];
      const i = yy * w + xx;
      if (xx >= 0 && yy >= 0 && xx < w && yy < h && label[i] < 0 && accept(i)) {
        label[i] = id;
        stack.push(i);
      }
    }
  }
  return { x: sx / n, y: sy / n };
}

/** Zhang–Suen thinning, in place: the ink shrinks to lines one pixel wide, keeping its connections. */
export function thin(b: Bitmap): void {
  const { w, h, px } = b;
  // Zhang–Suen can erase a blob of 2 × 2 pixels entirely: remember each blob's centre to put back
  const label = new Int32Array(w * h).fill(-1);
  const centres: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (px[i] === 0 || label[i] >= 0) continue;
    const c = flood(w, h, i, label, centres.length, (j) => px[j] === 1);
    centres.push(Math.round(c.y) * w + Math.round(c.x));
  }
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : px[y * w + x]);
  const del: number[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      del.length = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (px[y * w + x] === 0) continue;
          const n = NX.map((dx, k) => at(x + dx, y + NY[k]));
          const count = n.reduce((s, v) => s + v, 0);
          if (count < 2 || count > 6) continue;
          let transitions = 0;
          for (let k = 0; k < 8; k++) if (n[k] === 0 && n[(k + 1) % 8] === 1) transitions++;
          if (transitions !== 1) continue;
          // P2·P4·P6 = 0 and P4·P6·P8 = 0 (first pass); P2·P4·P8 = 0 and P2·P6·P8 = 0 (second)
          const [p2, , p4, , p6, , p8] = n;
          if (pass === 0 ? p2 * p4 * p6 !== 0 || p4 * p6 * p8 !== 0 : p2 * p4 * p8 !== 0 || p2 * p6 * p8 !== 0) continue;
          del.push(y * w + x);
        }
      }
      for (const i of del) px[i] = 0;
      if (del.length > 0) changed = true;
    }
  }
  const alive = new Uint8Array(centres.length);
  for (let i = 0; i < w * h; i++) if (px[i] === 1) alive[label[i]] = 1;
  centres.forEach((c, id) => {
    if (!alive[id]) px[c] = 1;
  });
}

interface Edge {
  a: number; // node ids at the ends
  b: number;
  pts: number[]; // pixel centres from a to b (x, y, …)
  used: boolean;
}

const len = (p: readonly number[]): number => {
  let s = 0;
  for (let k = 2; k < p.length; k += 2) s += Math.hypot(p[k] - p[k - 2], p[k + 1] - p[k - 1]);
  return s;
};

const reversed = (p: readonly number[]): number[] => {
  const out: number[] = [];
  for (let k = p.length - 2; k >= 0; k -= 2) out.push(p[k], p[k + 1]);
  return out;
};

/** The skeleton as a graph: nodes (ends, junction clusters; centroid) and the pixel chains between them. */
function skeletonGraph(b: Bitmap): { nodes: { x: number; y: number }[]; edges: Edge[] } {
  const { w, h, px } = b;
  const on = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && px[y * w + x] === 1;
  const nbrs = (i: number): number[] => {
    const x = i % w;
    const y = (i - x) / w;
    const out: number[] = [];
    for (let k = 0; k < 8; k++) if (on(x + NX[k], y + NY[k])) out.push((y + NY[k]) * w + x + NX[k]);
    return out;
  };
  const node = new Int32Array(w * h).fill(-1);
  const nodes: { x: number; y: number }[] = [];
  // node pixels: not exactly two neighbours; 8-connected node pixels form one node
  for (let i = 0; i < w * h; i++) {
    if (px[i] === 0 || node[i] >= 0 || nbrs(i).length === 2) continue;
    const c = flood(w, h, i, node, nodes.length, (j) => px[j] === 1 && nbrs(j).length !== 2);
    nodes.push({ x: c.x + 0.5, y: c.y + 0.5 });
  }
  const seen = new Uint8Array(w * h);
  const edges: Edge[] = [];
  const centre = (i: number): [number, number] => [(i % w) + 0.5, Math.floor(i / w) + 0.5];
  // chains leaving each node
  for (let i = 0; i < w * h; i++) {
    if (px[i] === 0 || node[i] < 0) continue;
    for (const first of nbrs(i)) {
      if (node[first] >= 0 || seen[first]) continue;
      const pts = [nodes[node[i]].x, nodes[node[i]].y];
      let prev = i;
      let cur = first;
      let end = node[i];
      for (;;) {
        seen[cur] = 1;
        pts.push(...centre(cur));
        const next = nbrs(cur).find((k) => k !== prev); // a chain pixel has exactly two neighbours
        if (next === undefined || (node[next] < 0 && seen[next])) break;
        if (node[next] >= 0) {
          end = node[next];
          break;
        }
        prev = cur;
        cur = next;
      }
      pts.push(nodes[end].x, nodes[end].y);
      edges.push({ a: node[i], b: end, pts, used: false });
    }
  }
  // closed loops without any node (an o): a node at the loop's first pixel in raster order (top row, leftmost)
  for (let i = 0; i < w * h; i++) {
    if (px[i] === 0 || node[i] >= 0 || seen[i]) continue;
    const loop: number[] = [];
    let prev = -1;
    let cur = i;
    while (cur >= 0 && !seen[cur]) {
      seen[cur] = 1;
      loop.push(cur);
      const next = nbrs(cur).find((k) => k !== prev && !seen[k]);
      prev = cur;
      cur = next ?? -1;
    }
    const id = nodes.length;
    const [x0, y0] = centre(loop[0]);
    nodes.push({ x: x0, y: y0 });
    const pts = loop.flatMap(centre);
    pts.push(x0, y0);
    edges.push({ a: id, b: id, pts, used: false });
  }
  return { nodes, edges };
}

/** Direction (unit vector) in which a chain leaves its first point, over about `reach` pixels. */
function leaving(p: readonly number[], reach: number): [number, number] {
  let k = 2;
  while (k + 2 < p.length && Math.hypot(p[k] - p[0], p[k + 1] - p[1]) < reach) k += 2;
  const dx = p[k] - p[0];
  const dy = p[k + 1] - p[1];
  const n = Math.hypot(dx, dy) || 1;
  return [dx / n, dy / n];
}

/** Options of traceSkeleton. */
export interface TraceOptions {
  /** End branches shorter than this (pixels) are spurs of the thinning and are dropped. */
  spur: number;
  /** Moving-average window (points) that smooths the pixel staircase. */
  smooth: number;
  /** Douglas–Peucker tolerance (pixels) of the simplified strokes. */
  tolerance: number;
  /** A dead-end line shorter than this (pixels) is run back along, pen down, when lines are left at its junction. */
  retrace: number;
}

function simplify(p: number[], tol: number): number[] {
  const n = p.length / 2;
  if (n <= 2) return p;
  const keep = new Uint8Array(n);
  keep[0] = keep[n - 1] = 1;
  const stack: [number, number][] = [[0, n - 1]];
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const ax = p[2 * a];
    const ay = p[2 * a + 1];
    const dx = p[2 * b] - ax;
    const dy = p[2 * b + 1] - ay;
    const L = Math.hypot(dx, dy);
    let best = -1;
    let bestD = tol;
    for (let i = a + 1; i < b; i++) {
      const d = L > 0 ? Math.abs(dx * (p[2 * i + 1] - ay) - dy * (p[2 * i] - ax)) / L : Math.hypot(p[2 * i] - ax, p[2 * i + 1] - ay);
      if (d > bestD) [best, bestD] = [i, d];
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push([a, best], [best, b]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(p[2 * i], p[2 * i + 1]);
  return out;
}

function smoothed(p: number[], win: number): number[] {
  const n = p.length / 2;
  const r = Math.floor(win / 2);
  if (r === 0 || n < 3) return p;
  const closed = n > 3 && p[0] === p[p.length - 2] && p[1] === p[p.length - 1];
  const out = p.slice();
  for (let i = closed ? 0 : 1; i < n - 1; i++) {
    let sx = 0;
    let sy = 0;
    let c = 0;
    for (let j = i - r; j <= i + r; j++) {
      let k = j;
      if (closed) k = ((j % (n - 1)) + (n - 1)) % (n - 1);
      else if (k < 0 || k >= n) continue;
      sx += p[2 * k];
      sy += p[2 * k + 1];
      c++;
    }
    out[2 * i] = sx / c;
    out[2 * i + 1] = sy / c;
  }
  if (closed) {
    out[out.length - 2] = out[0];
    out[out.length - 1] = out[1];
  }
  return out;
}

/**
 * The skeleton of a thinned bitmap as pen strokes (pixel coordinates), in drawing order: each
 * stroke starts at the leftmost free end left (or, with none, the leftmost node), goes straight on
 * through junctions (the way with the smallest turn), runs back along short dead ends (the down
 * and up of an n's first leg) and ends where no unused line leaves the pen; the rightmost free end
 * (a cursive letter's exit) is left for last.
 */
export function traceSkeleton(b: Bitmap, o: TraceOptions): number[][] {
  const { nodes, edges: all } = skeletonGraph(b);
  // parts smaller than a spur (a dot, thinned to a few pixels) become dots
  const part = nodes.map((_, i) => i);
  const find = (i: number): number => (part[i] === i ? i : (part[i] = find(part[i])));
  for (const e of all) part[find(e.a)] = find(e.b);
  const size = new Map<number, number>();
  for (const e of all) size.set(find(e.a), (size.get(find(e.a)) ?? 0) + len(e.pts));
  const dots: number[][] = [];
  const dotted = new Set<number>();
  nodes.forEach((n, i) => {
    const r = find(i);
    if ((size.get(r) ?? 0) < o.spur && !dotted.has(r)) {
      dotted.add(r);
      dots.push([n.x, n.y, n.x + 0.5, n.y + 0.5]);
    }
  });
  let edges = all.filter((e) => !dotted.has(find(e.a)));
  const degree = (id: number): number => edges.reduce((s, e) => s + (e.a === id ? 1 : 0) + (e.b === id ? 1 : 0), 0);
  // prune spurs: short chains from a free end into a junction, until none is left
  for (let round = 0; round < 3; round++) {
    const before = edges.length;
    edges = edges.filter((e) => {
      const da = degree(e.a);
      const db = degree(e.b);
      const spur = e.a === e.b || (da === 1 && db >= 3) || (db === 1 && da >= 3);
      return !(spur && len(e.pts) < o.spur); // a tiny loop at a junction is a spur too
    });
    if (edges.length === before) break;
  }
  // the pen walk
  const strokes: number[][] = [];
  const incident = (id: number): { e: Edge; fwd: boolean }[] => {
    const out: { e: Edge; fwd: boolean }[] = [];
    for (const e of edges) {
      if (e.used) continue;
      if (e.a === id) out.push({ e, fwd: true });
      if (e.b === id && e.a !== e.b) out.push({ e, fwd: false });
    }
    return out;
  };
  const free = (id: number): number => incident(id).length;
  const deg0 = nodes.map((_, id) => free(id));
  // the exit: the rightmost free end, kept for the end of the walk where there is a choice
  let exit = -1;
  nodes.forEach((n, id) => {
    if (deg0[id] === 1 && (exit < 0 || n.x > nodes[exit].x)) exit = id;
  });
  let pen: { x: number; y: number } | null = null;
  for (;;) {
    const open = nodes.map((_, id) => id).filter((id) => free(id) > 0);
    if (open.length === 0) break;
    // start: an odd node (a free end) if any — the leftmost, or the nearest to the pen after the first stroke
    const odd = open.filter((id) => free(id) % 2 === 1);
    let pool = odd.length > 0 ? odd : open;
    if (pool.length > 1) pool = pool.filter((id) => id !== exit);
    const key = (id: number): number => (pen === null ? nodes[id].x : Math.hypot(nodes[id].x - pen.x, nodes[id].y - pen.y));
    let at = pool.reduce((best, id) => (key(id) < key(best) ? id : best), pool[0]);
    const stroke: number[] = [];
    let dir: [number, number] | null = null;
    let last: { e: Edge; from: number } | null = null;
    for (;;) {
      let ways = incident(at);
      if (ways.length === 0) {
        // a dead end: run back along a short line to the junction it came from, if lines are left there
        if (last !== null && deg0[at] === 1 && len(last.e.pts) < o.retrace && free(last.from) > 0) {
          const back = at === last.e.b ? reversed(last.e.pts) : last.e.pts;
          stroke.push(...back.slice(2));
          const d = leaving(reversed(back), 6);
          dir = [-d[0], -d[1]];
          at = last.from;
          last = null;
          continue;
        }
        break;
      }
      if (ways.length > 1) ways = ways.filter((w) => (w.fwd ? w.e.b : w.e.a) !== exit);
      if (ways.length === 0) ways = incident(at);
      let pick = ways[0];
      if (dir !== null) {
        let bestCos = -Infinity;
        for (const w of ways) {
          const d = leaving(w.fwd ? w.e.pts : reversed(w.e.pts), 6);
          const c = d[0] * dir[0] + d[1] * dir[1];
          if (c > bestCos) [bestCos, pick] = [c, w];
        }
      } else {
        pick = ways.reduce((best, w) => (len(w.e.pts) > len(best.e.pts) ? w : best), ways[0]);
      }
      pick.e.used = true;
      const pts = pick.fwd ? pick.e.pts : reversed(pick.e.pts);
      stroke.push(...(stroke.length === 0 ? pts : pts.slice(2)));
      const back = leaving(reversed(pts), 6);
      dir = [-back[0], -back[1]];
      last = { e: pick.e, from: at };
      at = pick.fwd ? pick.e.b : pick.e.a;
    }
    if (stroke.length >= 4) {
      strokes.push(simplify(smoothed(stroke, o.smooth), o.tolerance));
      pen = { x: stroke[stroke.length - 2], y: stroke[stroke.length - 1] };
    }
  }
  // dots last, as a hand adds them (an i's dot after its stem)
  return [...strokes, ...dots];
}

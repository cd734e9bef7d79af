// An n-gram language model over integer labels (phonemes, characters) with interpolated
// Kneser-Ney smoothing, for scoring CTC hypotheses (shallow fusion in src/ctc/fusion.ts).
// Sequences are padded with order−1 begin markers and end with an end marker, so the model also
// scores how a sequence starts and ends.
//
// Interpolated Kneser-Ney (Chen & Goodman 1998, §3.5, one discount D per order):
//   highest order n, history h (n−1 labels):
//     P(w | h) = max(c(h w) − D, 0) / c(h·) + D · N1+(h ·) / c(h·) · P(w | h′)
//   lower orders use continuation counts c′(h w) = N1+(· h w) (distinct labels seen before h w)
//   in place of c, and the lowest order ends in the uniform distribution over the V labels + end:
//     P(w) = max(c′(w) − D, 0) / c′(··) + D · N1+(·) / c′(··) · 1/(V+1)
//   h′ is h without its first label; a history never seen backs off to P(w | h′) entirely.
//   D = n1 / (n1 + 2·n2) per order (n1, n2: how many n-grams of that order occur once, twice).
// The state a decoder carries is the last order−1 labels; next() gives log P of every label at
// once (cached per state), so a beam search pays for one history once.
// Left out: modified KN (three discounts), pruning, ARPA files, class-based and neural LMs.

import { ConfigError, FormatError } from '../errors.js';

/** Label ids are 1..V (0 is the CTC blank and never a label); END is V + 1 inside the model. */
export interface NgramJSON {
  kind: 'ngram-kn';
  version: 1;
  order: number;
  /** Largest label id (labels are 1..vocab). */
  vocab: number;
  /** Per order 1..n: the discount. */
  discounts: number[];
  /**
   * Per order k = 1..n: for every history of k−1 labels seen (as a comma-joined key, '' for
   * k = 1), [total, distinct, label, count, label, count, …] with the counts of that order
   * (continuation counts below the highest order).
   */
  tables: Record<string, number[]>[];
}

interface HistStats {
  total: number;
  distinct: number;
  counts: Map<number, number>;
}

const BOS = 0; // begin marker inside histories (never predicted)

/**
 * An n-gram language model over label ids 1..vocab with interpolated Kneser-Ney smoothing (see
 * the file header); a LabelScorer for fusedBeamSearch. Build it with NgramLM.train(), keep it with
 * toJSON() / NgramLM.fromJSON(). Bad arguments throw ConfigError.
 */
export class NgramLM {
  readonly order: number;
  readonly vocab: number;
  readonly discounts: number[];
  /** tables[k−1]: history key (k−1 labels) → stats of order k. */
  private readonly tables: Map<string, HistStats>[];
  private readonly cache = new Map<string, Float64Array>();

  private constructor(order: number, vocab: number, discounts: number[], tables: Map<string, HistStats>[]) {
    this.order = order;
    this.vocab = vocab;
    this.discounts = discounts;
    this.tables = tables;
  }

  /** The id the model uses for the end of a sequence (vocab + 1). */
  get end(): number {
    return this.vocab + 1;
  }

  /**
   * Count the n-grams of `sequences` (label ids in 1..vocab) and set the discounts. Each sequence
   * counts once; pass a pronunciation list with repeats to weight it.
   */
  static train(sequences: readonly ArrayLike<number>[], vocab: number, order: number): NgramLM {
    if (!Number.isInteger(order) || order < 1 || order > 10) throw new ConfigError(`[NgramLM.train] order must be an integer in [1, 10]; received ${order}.`);
    if (!Number.isInteger(vocab) || vocab < 1) throw new ConfigError(`[NgramLM.train] vocab must be a positive integer; received ${vocab}.`);
    if (sequences.length === 0) throw new ConfigError('[NgramLM.train] need at least one sequence; received 0.');
    const END = vocab + 1;
    // raw counts of the highest order and the sets of left neighbours of every lower-order n-gram
    const top = new Map<string, HistStats>();
    const left: Map<string, Set<number>>[] = Array.from({ length: order - 1 }, () => new Map()); // left[k−1]: k-gram key → distinct left labels
    const bump = (table: Map<string, HistStats>, h: string, w: number, by: number): void => {
      let s = table.get(h);
      if (s === undefined) table.set(h, (s = { total: 0, distinct: 0, counts: new Map() }));
      const c = s.counts.get(w) ?? 0;
      if (c === 0) s.distinct++;
      s.counts.set(w, c + by);
      s.total += by;
    };
    sequences.forEach((seq, k) => {
      const toks: number[] = new Array(order - 1).fill(BOS);
      for (let i = 0; i < seq.length; i++) {
        const v = seq[i];
        if (!Number.isInteger(v) || v < 1 || v > vocab) {
          throw new ConfigError(`[NgramLM.train] sequence ${k}, position ${i}: labels must be integers in [1, ${vocab}]; received ${v}.`);
        }
        toks.push(v);
      }
      toks.push(END);
      for (let i = order - 1; i < toks.length; i++) {
        const gram = toks.slice(i - order + 1, i + 1); // order labels ending at i
        bump(top, gram.slice(0, -1).join(','), gram[order - 1], 1);
        // every lower-order k-gram ending at i, with its left neighbour
        for (let kk = 1; kk < order; kk++) {
          const sub = gram.slice(order - kk);
          const key = sub.join(',');
          let set = left[kk - 1].get(key);
          if (set === undefined) left[kk - 1].set(key, (set = new Set()));
          set.add(gram[order - kk - 1]);
        }
      }
    });
    // continuation-count tables of the lower orders
    const tables: Map<string, HistStats>[] = [];
    for (let kk = 1; kk < order; kk++) {
      const t = new Map<string, HistStats>();
      for (const [key, set] of left[kk - 1]) {
        const labels = key.split(',').map(Number);
        bump(t, labels.slice(0, -1).join(','), labels[kk - 1], set.size);
      }
      tables.push(t);
    }
    tables.push(top);
    const discounts = tables.map((t) => {
      let n1 = 0;
      let n2 = 0;
      for (const s of t.values()) {
        for (const c of s.counts.values()) {
          if (c === 1) n1++;
          else if (c === 2) n2++;
        }
      }
      return n1 + 2 * n2 > 0 ? Math.min(0.95, Math.max(0.05, n1 / (n1 + 2 * n2))) : 0.5;
    });
    return new NgramLM(order, vocab, discounts, tables);
  }

  /** P(w | history) for w in 1..vocab+1 (END), by the recursion above; history = the last labels (BOS-padded). */
  private prob(hist: number[], w: number, k: number): number {
    // k = order being evaluated (1..n), hist has at least k−1 labels: use its last k−1
    const uniform = 1 / (this.vocab + 1);
    if (k === 0) return uniform;
    const h = hist.slice(hist.length - (k - 1)).join(',');
    const s = this.tables[k - 1].get(h);
    const lower = this.prob(hist, w, k - 1);
    if (s === undefined || s.total === 0) return lower;
    const D = this.discounts[k - 1];
    const c = s.counts.get(w) ?? 0;
    return Math.max(c - D, 0) / s.total + ((D * s.distinct) / s.total) * lower;
  }

  /** The begin state (order−1 begin markers). */
  start(): number[] {
    return new Array(this.order - 1).fill(BOS);
  }

  /** log P(label | state) for every label 0..vocab+1 (index 0, the blank, is −Infinity); cached per state. */
  distribution(state: readonly number[]): Float64Array {
    const key = state.join(',');
    let d = this.cache.get(key);
    if (d === undefined) {
      d = new Float64Array(this.vocab + 2);
      d[0] = -Infinity;
      const hist = [...state];
      for (let w = 1; w <= this.vocab + 1; w++) d[w] = Math.log(this.prob(hist, w, this.order));
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, d);
    }
    return d;
  }

  /** The state after `label`. */
  advance(state: readonly number[], label: number): number[] {
    if (this.order === 1) return [];
    const s = state.slice(1);
    s.push(label);
    return s;
  }

  /** log P of a whole sequence, end included. */
  score(seq: ArrayLike<number>): number {
    let st = this.start();
    let lp = 0;
    for (let i = 0; i < seq.length; i++) {
      const v = seq[i];
      if (!Number.isInteger(v) || v < 1 || v > this.vocab) throw new ConfigError(`[NgramLM.score] labels must be integers in [1, ${this.vocab}]; received ${v} at ${i}.`);
      lp += this.distribution(st)[v];
      st = this.advance(st, v);
    }
    return lp + this.distribution(st)[this.end];
  }

  /** Perplexity per label (end included) over sequences. */
  perplexity(seqs: readonly ArrayLike<number>[]): number {
    let lp = 0;
    let n = 0;
    for (const s of seqs) {
      lp += this.score(s);
      n += s.length + 1;
    }
    return Math.exp(-lp / n);
  }

  /** The counts and discounts as plain JSON (NgramLM.fromJSON() reads it back). */
  toJSON(): NgramJSON {
    return {
      kind: 'ngram-kn', version: 1, order: this.order, vocab: this.vocab, discounts: [...this.discounts],
      tables: this.tables.map((t) => {
        const o: Record<string, number[]> = {};
        for (const [h, s] of t) {
          const row = [s.total, s.distinct];
          for (const [w, c] of s.counts) row.push(w, c);
          o[h] = row;
        }
        return o;
      }),
    };
  }

  /** Rebuild from toJSON(); anything malformed is a FormatError naming it. */
  static fromJSON(j: unknown): NgramLM {
    const o = j as Partial<NgramJSON> | null;
    if (o === null || typeof o !== 'object' || o.kind !== 'ngram-kn' || o.version !== 1) {
      throw new FormatError(`[NgramLM.fromJSON] expected { kind: 'ngram-kn', version: 1, … }; received ${JSON.stringify(j)?.slice(0, 80)}.`);
    }
    const { order, vocab, discounts, tables } = o;
    if (!Number.isInteger(order) || order! < 1 || order! > 10 || !Number.isInteger(vocab) || vocab! < 1) {
      throw new FormatError(`[NgramLM.fromJSON] order must be in [1, 10] and vocab >= 1; received order ${order}, vocab ${vocab}.`);
    }
    if (!Array.isArray(discounts) || discounts.length !== order || !discounts.every((d) => typeof d === 'number' && d > 0 && d < 1)) {
      throw new FormatError(`[NgramLM.fromJSON] discounts must be ${order} numbers in (0, 1); received ${JSON.stringify(discounts)?.slice(0, 80)}.`);
    }
    if (!Array.isArray(tables) || tables.length !== order) throw new FormatError(`[NgramLM.fromJSON] tables must be ${order} objects; received ${Array.isArray(tables) ? tables.length : typeof tables}.`);
    const maps = tables.map((t, k) => {
      if (t === null || typeof t !== 'object') throw new FormatError(`[NgramLM.fromJSON] tables[${k}] must be an object; received ${String(t)}.`);
      const m = new Map<string, HistStats>();
      for (const [h, row] of Object.entries(t)) {
        if (!Array.isArray(row) || row.length < 2 || row.length % 2 !== 0 || !row.every((v) => Number.isFinite(v) && v >= 0)) {
          throw new FormatError(`[NgramLM.fromJSON] tables[${k}]['${h}'] must be [total, distinct, label, count, …] of numbers >= 0; received ${JSON.stringify(row).slice(0, 80)}.`);
        }
        const counts = new Map<number, number>();
        for (let i = 2; i < row.length; i += 2) {
          if (!Number.isInteger(row[i]) || row[i] < 1 || row[i] > vocab! + 1) throw new FormatError(`[NgramLM.fromJSON] tables[${k}]['${h}'] has label ${row[i]}, outside [1, ${vocab! + 1}].`);
          counts.set(row[i], row[i + 1]);
        }
        m.set(h, { total: row[0], distinct: row[1], counts });
      }
      return m;
    });
    return new NgramLM(order!, vocab!, [...discounts], maps);
  }
}

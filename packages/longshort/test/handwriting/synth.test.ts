// The handwriting data: the Hershey fonts of the hersheytext package parsed into the font frame,
// the held-out fonts apart from the training fonts, ink synthesis deterministic with a seed and
// shaped as the writer style says (joined cursive, sampling rate, time order), the features
// invariant to what normalisation should remove, and the stroke formats (JSON, InkML).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testFonts } from './fonts.js';
import {
  FONT_TABLE, HANDWRITING_ALPHABET, Rng, encodeExample, fontsOfSplit, inkFeatures, neatWriterStyle, parseInkJson, parseInkML,
  parsePolylinePath, renderInk, sampleWriterStyle, thinFont, AUGMENT, type StrokeFont, synthesizeExample, synthesizeExamples, splitWords, trainingWords, isTestWord,
  POINT_FEATURES, HANDWRITING_SEEDS, parseInkSample, parseWordList, type Ink,
} from '../../src/index.js';
import { ConfigError, FormatError, NonFiniteError } from '../../src/errors.js';

const fonts = testFonts();
const byId = new Map(fonts.map((f) => [f.id, f]));

describe('fonts', () => {
  test('polyline paths: M/L, relative moves, cubic Béziers, Z; other commands refused', () => {
    assert.deepEqual(parsePolylinePath('M1,2 L3,4 5,6 M7 8 L 9 10'), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10]]);
    assert.deepEqual(parsePolylinePath('m1 1 l2 0 0 2 z'), [[1, 1, 3, 1, 3, 3, 1, 1]]);
    const c = parsePolylinePath('M0 0 C0 1 1 1 1 0');
    assert.equal(c[0].length, 18); // start + 8 segments
    assert.deepEqual(c[0].slice(-2), [1, 0]);
    assert.throws(() => parsePolylinePath('M0 0 Q1 1 2 2'), FormatError);
    assert.throws(() => parsePolylinePath('M0 0 L1'), FormatError);
  });

  test('every font of the table draws the whole alphabet, in the font frame (x-height 1, baseline 0)', () => {
    assert.equal(fonts.length, FONT_TABLE.length);
    for (const f of fonts) {
      for (const ch of HANDWRITING_ALPHABET.trim()) assert.ok(f.glyphs.get(ch)?.strokes.length, `${f.id} lacks ${ch}`);
      const x = f.glyphs.get('x')!;
      let lo = Infinity;
      let hi = -Infinity;
      for (const s of x.strokes) for (let k = 1; k < s.length; k += 2) [lo, hi] = [Math.min(lo, s[k]), Math.max(hi, s[k])];
      assert.ok(Math.abs(lo) < 1e-6 && Math.abs(hi - 1) < 1e-6, `${f.id}: x spans ${lo}..${hi}`);
      // capitals stand above the x-height, 'g' and 'p' reach below the baseline
      const top = (ch: string) => Math.max(...f.glyphs.get(ch)!.strokes.flatMap((s) => Array.from(s).filter((_, k) => k % 2 === 1)));
      const bottom = (ch: string) => Math.min(...f.glyphs.get(ch)!.strokes.flatMap((s) => Array.from(s).filter((_, k) => k % 2 === 1)));
      assert.ok(top('H') > 1.05 && bottom('p') < -0.2, `${f.id}: H top ${top('H')}, p bottom ${bottom('p')}`);
      assert.ok(f.space > 0.2 && f.space < 2, `${f.id}: space ${f.space}`);
    }
  });

  test('held-out fonts are whole families that training never uses', () => {
    const train = fontsOfSplit('train');
    const test = fontsOfSplit('test');
    assert.deepEqual(test.map((f) => f.id), ['EMSAllure', 'EMSTech']);
    const trainFamilies = new Set(train.map((f) => f.family));
    for (const f of test) assert.ok(!trainFamilies.has(f.family), f.id);
    assert.ok(train.some((f) => f.style === 'cursive') && test.some((f) => f.style === 'cursive'));
  });

  test('thinFont: one line where a font draws two side by side; dots kept, serif stubs dropped', () => {
    const f32 = (...v: number[]) => Float32Array.from(v);
    const font: StrokeFont = {
      id: 'doubled', style: 'print', space: 0.5,
      glyphs: new Map([
        // a stem drawn twice 0.07 apart, a serif foot across both, and a dot above
        ['i', { advance: 0.6, strokes: [f32(0.30, 1, 0.30, 0), f32(0.37, 1, 0.37, 0), f32(0.15, 0, 0.55, 0), f32(0.33, 1.4, 0.34, 1.41)] }],
        // two lines far apart stay two
        ['=', { advance: 1, strokes: [f32(0, 0.3, 1, 0.3), f32(0, 0.7, 1, 0.7)] }],
      ]),
    };
    const thin = thinFont(font, 0.12);
    const i = thin.glyphs.get('i')!;
    assert.equal(i.strokes.length, 2, 'the stem once and the dot');
    const ys = Array.from(i.strokes[0]).filter((_, k) => k % 2 === 1);
    assert.ok(Math.max(...ys) > 0.99 && Math.min(...ys) < 0.01, 'the whole stem is kept');
    assert.ok(Array.from(i.strokes[0]).filter((_, k) => k % 2 === 0).every((x) => Math.abs(x - 0.30) < 1e-6), 'the longer (first) line of the pair');
    assert.equal(i.strokes[1].length, 4, 'the dot, though short');
    assert.equal(thin.glyphs.get('=')!.strokes.length, 2);
    assert.equal(i.advance, 0.6);
    assert.throws(() => thinFont(font, 0), ConfigError);
    // the thinned Hershey medium fonts: no line of a letter runs along another one
    for (const id of ['timesr', 'timesi', 'scriptc']) {
      const g = byId.get(id)!.glyphs.get('l')!;
      assert.ok(g.strokes.length <= 2, `${id} 'l' has ${g.strokes.length} strokes`);
    }
  });

  test('words: a fixed fifth of the lexicon is test-only and never among the training words', () => {
    const lexicon = ['the', 'of', 'and', 'hello', 'world', 'handwriting', 'zebra', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog'];
    const { train, test } = splitWords(lexicon);
    assert.equal(train.length + test.length, lexicon.length);
    const tw = trainingWords(lexicon, ['aardvark', 'hello', 'xylophone', "o'brien"]);
    for (const w of tw) assert.ok(!isTestWord(w), w);
    assert.ok(!tw.includes("o'brien"));
  });
});

describe('synthesis', () => {
  const opts = { fonts: fontsOfSplit('train').map((s) => byId.get(s.id)!), words: ['minimum', 'hello', 'world', 'quick'], seed: 7 };

  test('deterministic with a seed: the same example bit for bit; another seed, other ink', () => {
    const a = synthesizeExamples(opts, 6);
    const b = synthesizeExamples(opts, 6);
    assert.deepEqual(a, b);
    // example i does not depend on the ones before it
    assert.deepEqual(synthesizeExample(opts, 4), a[4]);
    const c = synthesizeExamples({ ...opts, seed: 8 }, 6);
    assert.notDeepEqual(a.map((e) => e.ink), c.map((e) => e.ink));
  });

  test('augment: the same text, font and writer as the plain example, other ink; deterministic', () => {
    const plain = synthesizeExamples(opts, 12);
    const aug = synthesizeExamples({ ...opts, augment: true }, 12);
    assert.deepEqual(synthesizeExamples({ ...opts, augment: true }, 12), aug);
    assert.deepEqual(aug.map((e) => [e.text, e.font]), plain.map((e) => [e.text, e.font]));
    assert.ok(aug.filter((e, i) => JSON.stringify(e.ink) !== JSON.stringify(plain[i].ink)).length >= 10);
    for (const e of aug) for (const s of e.ink) for (const p of s) assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.t));
    assert.ok(AUGMENT.mixProb > 0 && AUGMENT.letterWarp > 0);
  });

  test('variation: a printed letter without lifting the pen; cursive stems run back down', () => {
    const base = { mixFonts: [], mixProb: 0, letterWarp: 0, ascender: 1, descender: 1 };
    const style = neatWriterStyle();
    const strokes = (font: string, text: string, v?: object) => renderInk(byId.get(font)!, text, style, new Rng(3), v === undefined ? undefined : { ...base, penDown: 0, rng: new Rng(4), ...v }).length;
    assert.equal(strokes('futural', 'H'), 3);
    assert.equal(strokes('futural', 'H', { penDown: 1 }), 1);
    assert.equal(strokes('futural', 'H', { penDown: 0 }), 3);
    // the variation with nothing to vary leaves the ink as it was
    assert.deepEqual(renderInk(byId.get('scripts')!, 'dot', style, new Rng(3), { ...base, penDown: 0, rng: new Rng(4) }), renderInk(byId.get('scripts')!, 'dot', style, new Rng(3)));
    // scripts 'd': the stem's top and its way down are two strokes; a writer who keeps the pen down draws one
    assert.ok(strokes('scripts', 'd', { joinGap: 1.8 }) < strokes('scripts', 'd'));
  });

  test('the committed held-out sample is what the generator makes (scripts/handwriting/make-sample.ts)', () => {
    const sample = parseInkSample(readFileSync(new URL('../../../../data/handwriting/heldout-sample.jsonl', import.meta.url), 'utf8'));
    assert.equal(sample.length, 120);
    const words = splitWords(parseWordList(readFileSync(new URL('../../../../data/handwriting/lexicon.txt', import.meta.url), 'utf8'))).test;
    const testOpts = { fonts: fontsOfSplit('test').map((s) => byId.get(s.id)!), words, seed: HANDWRITING_SEEDS.test };
    for (const i of [0, 1, 2, 57, 119]) {
      const e = synthesizeExample(testOpts, i);
      assert.equal(sample[i].text, e.text);
      assert.equal(sample[i].font, e.font);
      assert.equal(sample[i].ink.length, e.ink.length);
      e.ink.forEach((s, k) => {
        assert.equal(sample[i].ink[k].length, s.length);
        s.forEach((p, j) => {
          const q = sample[i].ink[k][j];
          assert.ok(Math.abs(p.x - q.x) <= 0.051 && Math.abs(p.y - q.y) <= 0.051 && Math.abs(p.t - q.t) <= 0.51, `example ${i} stroke ${k} point ${j}`);
        });
      });
      assert.ok(words.includes(e.text.split(' ')[0].toLowerCase()));
    }
  });

  test('time runs forward; the device rate sets the sample spacing; coordinates are finite', () => {
    const rng = new Rng(1);
    for (let k = 0; k < 20; k++) {
      const style = sampleWriterStyle(rng);
      const ink = renderInk(byId.get('futural')!, 'hello world', style, rng);
      let prev = -Infinity;
      const gaps: number[] = [];
      for (const s of ink) {
        for (let i = 0; i < s.length; i++) {
          const p = s[i];
          assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y) && p.t >= prev, `t ${p.t} after ${prev}`);
          if (i > 0) gaps.push(p.t - s[i - 1].t);
          prev = p.t;
        }
      }
      gaps.sort((a, b) => a - b);
      const median = gaps[gaps.length >> 1];
      assert.ok(Math.abs(median - 1000 / style.sampleRate) < 0.01 * (1000 / style.sampleRate) + 0.01, `median dt ${median} at ${style.sampleRate} Hz`);
    }
  });

  test('cursive joins the letters of a word into few strokes; print lifts the pen between them', () => {
    const rng = new Rng(2);
    const cursive = renderInk(byId.get('scripts')!, 'minimum', neatWriterStyle(), rng);
    const print = renderInk(byId.get('futural')!, 'minimum', neatWriterStyle(), rng);
    // 'minimum' in script: joined letters, the pen lifting only for the two i dots (drawn in place)
    assert.equal(cursive.length, 5, `cursive strokes: ${cursive.length}`);
    assert.ok(print.length >= 9, `print strokes: ${print.length}`);
  });

  test('characters outside a font are refused with the character named', () => {
    assert.throws(() => renderInk(byId.get('futural')!, 'héllo', neatWriterStyle(), new Rng(0)), /font 'futural' has no glyph for "é"/);
    assert.throws(() => renderInk(byId.get('futural')!, '  ', neatWriterStyle(), new Rng(0)), ConfigError);
  });
});

describe('features', () => {
  const ink = renderInk(byId.get('EMSReadability')!, 'handwriting', neatWriterStyle(30), new Rng(3));
  const transform = (src: Ink, f: (x: number, y: number) => [number, number]): Ink => src.map((s) => s.map((p) => {
    const [x, y] = f(p.x, p.y);
    return { x, y, t: p.t };
  }));

  test('shape: T = ceil(points / stack), width stack·8, one pen-up flag per stroke', () => {
    const f = inkFeatures(ink, { spacing: 0.2, stack: 3 });
    assert.equal(f.width, 3 * POINT_FEATURES);
    const points = f.frames.length / POINT_FEATURES;
    assert.equal(f.length, Math.ceil(points / 3));
    let ups = 0;
    for (let i = 0; i < points; i++) ups += f.frames[i * POINT_FEATURES + 2];
    // the padding after the last point is zero, so counting over the whole array counts the strokes
    assert.equal(ups, ink.length);
    assert.equal(f.framePositions.length, 2 * f.length);
  });

  test('invariant to translation and size, and (nearly) to slant and rotation', () => {
    const base = inkFeatures(ink);
    const moved = inkFeatures(transform(ink, (x, y) => [3 * x + 500, 3 * y - 70]));
    assert.equal(moved.length, base.length);
    let worst = 0;
    for (let i = 0; i < base.frames.length; i++) worst = Math.max(worst, Math.abs(base.frames[i] - moved.frames[i]));
    assert.ok(worst < 1e-3, `translation/scale changed a feature by ${worst}`);
    // a 0.3 rad lean to the right: the estimate removes most of it
    const leaned = inkFeatures(transform(ink, (x, y) => [x - Math.tan(0.3) * y, y]));
    assert.ok(Math.abs(leaned.normalisation.slant - base.normalisation.slant - 0.3) < 0.08, `slant estimate ${leaned.normalisation.slant}`);
    // a line rising by 0.1 rad: deskewed
    const tilted = inkFeatures(transform(ink, (x, y) => [Math.cos(0.1) * x + Math.sin(0.1) * y, -Math.sin(0.1) * x + Math.cos(0.1) * y]));
    assert.ok(Math.abs(tilted.normalisation.rotation - base.normalisation.rotation + 0.1) < 0.05, `rotation estimate ${tilted.normalisation.rotation}`);
  });

  test('a single tap gives one frame; empty ink is refused', () => {
    assert.equal(inkFeatures([[{ x: 5, y: 5, t: 0 }]]).length, 1);
    assert.throws(() => inkFeatures([]), ConfigError);
    // ink not shaped as strokes of finite points: the library's errors, not NaN frames
    assert.throws(() => inkFeatures([[{ x: 1, y: NaN, t: 0 }]]), NonFiniteError);
    assert.throws(() => inkFeatures([[[{ x: 1, y: 2, t: 0 }]]] as unknown as Ink), NonFiniteError);
    assert.throws(() => inkFeatures([{ x: 1 }] as unknown as Ink), ConfigError);
  });

  test('encodeExample: frames and label ids (space = 1, a = 2, …, A = 28)', () => {
    const e = encodeExample({ text: 'a Z', ink });
    assert.deepEqual(Array.from(e.targets), [2, 1, 53]);
    assert.throws(() => encodeExample({ text: 'a1', ink }), /"1".*not in the alphabet/);
  });
});

describe('stroke formats', () => {
  test('JSON: arrays of {x, y, t} or [x, y, t], with or without the strokes key', () => {
    const a = parseInkJson([[{ x: 1, y: 2, t: 0 }, { x: 3, y: 4, t: 10 }], [[5, 6, 30]]]);
    const b = parseInkJson({ strokes: [[[1, 2, 0], [3, 4, 10]], [{ x: 5, y: 6, t: 30 }]] });
    assert.deepEqual(a, b);
    assert.deepEqual(parseInkJson([[[0, 0], [1, 1]]])[0].map((p) => p.t), [0, 10]);
  });

  test('JSON: bad input gets the library error naming the stroke and point', () => {
    assert.throws(() => parseInkJson({ lines: [] }), FormatError);
    assert.throws(() => parseInkJson([[{ x: 1, y: 'a' }]]), /stroke 0 point 0/);
    assert.throws(() => parseInkJson([[{ x: 1, y: NaN, t: 0 }]]), NonFiniteError);
    assert.throws(() => parseInkJson([[], []]), /no points/);
  });

  test('InkML: one stroke per trace, X Y [T] channels', () => {
    const doc = `<ink xmlns="http://www.w3.org/2003/InkML"><trace>10 0 0, 9 14 8, 8 28 16</trace><trace>
      0 0, 1 1</trace></ink>`;
    const ink = parseInkML(doc);
    assert.equal(ink.length, 2);
    assert.deepEqual(ink[0][1], { x: 9, y: 14, t: 8 });
    assert.equal(ink[1].length, 2);
    assert.throws(() => parseInkML('<ink><trace>1 2, 3\'4</trace></ink>'), /difference-coded/);
    assert.throws(() => parseInkML('{"strokes": []}'), FormatError);
  });
});

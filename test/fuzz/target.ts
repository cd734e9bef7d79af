// What a fuzz target is: it makes one case from a seeded generator (an input file, or a call with
// its arguments) and then runs the code under test on it. The harness times and measures only the
// run. A run may succeed or throw one of the library's error classes; anything else is a finding.

import type { Rng } from '../../packages/longshort/dist/util/rng.js';

export interface FuzzCase {
  /** Bytes of input the case hands the library (files, texts); 0 for calls. The bounds scale with it. */
  bytes: number;
  /** What the case is, for the report (kept short). */
  label: string;
  /** Runs the code under test. */
  run(): unknown;
}

export interface FuzzTarget {
  name: string;
  /** One-line description for the report. */
  about: string;
  /** Share of the cases this target gets when a run is split over all targets (CLI cases are slow). */
  weight: number;
  /** Build the seed corpus (once per process). */
  setup(): Promise<void>;
  /** A case from the generator (deterministic in its state). */
  make(rng: Rng): FuzzCase | Promise<FuzzCase>;
}

// The benchmark shapes (issue #4's S, M and L1), shared by bench/lstm.ts, bench/native.ts and
// bench/memory.ts so that every table measures the same problems.

/** One benchmark shape: batch B, time steps T, input size I, hidden size H. */
export interface Config {
  name: string;
  B: number;
  T: number;
  I: number;
  H: number;
}

export const CONFIGS: readonly Config[] = [
  { name: 'S', B: 32, T: 50, I: 32, H: 64 },
  { name: 'M', B: 64, T: 100, I: 128, H: 256 },
  { name: 'L1', B: 1, T: 100, I: 32, H: 128 },
];

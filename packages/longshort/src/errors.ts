// Error types. Messages follow `[where] what was expected; what was received. Hint: …`
// and quote both the expected and the actual value, so a user can fix the call from the message alone.

/** A tensor or array has the wrong shape, rank or length. */
export class ShapeError extends RangeError {
  override name = 'ShapeError';
}

/** A hyperparameter or option is out of range or inconsistent. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A value is NaN or infinite where a finite number is required. */
export class NonFiniteError extends RangeError {
  override name = 'NonFiniteError';
}

/** A file or byte buffer is malformed, truncated or hostile. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** Training diverged (a NaN or infinite loss or gradient). */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/** A model file or graph uses an operator, layer or option longshort does not support. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** A compute kernel is missing (not built, not loadable here), does not match its description, or failed while running. */
export class KernelError extends Error {
  override name = 'KernelError';
}

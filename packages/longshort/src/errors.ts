// Error types. Messages follow `[where] what was expected; what was received. Hint: …`
// and quote both the expected and the actual value, so a user can fix the call from the message alone.
//
// Every failure caused by a file, an argument or a call is one of these classes, so a caller can
// tell "your input is wrong" (catch one of them, show the message) from "longshort has a bug" (any
// other exception). Each one is thrown before anything large is allocated and before anything on
// disk is changed. test/fuzz/ checks this claim with structured mutations of real files and calls.

/**
 * A tensor or array has the wrong shape, rank or length, or holds values outside what the call
 * accepts: a Tensor whose data does not fill its shape, an input whose feature size is not the
 * layer's, `lengths` with the wrong number of entries, an id outside [0, numEmbeddings), a state
 * dict whose tensor shapes do not match the model.
 *
 * Extends RangeError, so `catch (e) { if (e instanceof RangeError) … }` code keeps working.
 * @example
 * // [LSTM.forward] x must have shape (B, T, 8) because inputSize=8; received (32, 16, 10).
 */
export class ShapeError extends RangeError {
  override name = 'ShapeError';
}

/**
 * A hyperparameter, option or argument is out of range, of the wrong type, or inconsistent with
 * another: `hiddenSize: 2**31`, `batchFirst: 'yes'`, `dtype: 'float16'`, a `Sequential` whose layer
 * sizes do not chain, a learning rate of -1, a model too large to allocate.
 * @example
 * // [LSTM] batchFirst must be true or false; received 'yes'.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A value is NaN or infinite where a finite number is required: input data with `checkFinite`,
 * weights in a model file, a state dict or an imported PyTorch / TensorFlow.js model.
 * Extends RangeError.
 * @example
 * // [loadModel] head.bias must be finite; received NaN at flat index 3.
 */
export class NonFiniteError extends RangeError {
  override name = 'NonFiniteError';
}

/**
 * A file or byte buffer is malformed, truncated or hostile: a safetensors header that lies about
 * its sizes, JSON nested deeper than the reader allows, a model file whose architecture does not
 * match the tensors it holds, a CSV row with too many fields, a date gap that would need millions
 * of rows, a checkpoint whose training state has the wrong types. The message names the field (or
 * row and column), what was expected and what the file holds.
 * @example
 * // [loadModel] layer 'lstm' (LSTM) needs 4 tensors holding 1 331 200 values for hiddenSize=10000; the file holds 208.
 */
export class FormatError extends Error {
  override name = 'FormatError';
}

/**
 * Training diverged: a NaN or infinite loss or gradient (with `onNonFinite: 'stop'`, the
 * default), or an optimizer step that produced non-finite weights. The model keeps the weights
 * from before the failing batch.
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/**
 * A model file or graph uses an operator, layer or option longshort does not support (a GRU in a
 * TF.js model, an ONNX operator outside the LSTM subset, a PyTorch module with two Linear heads).
 */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** A compute kernel is missing (not built, not loadable here), does not match its description, or failed while running. */
export class KernelError extends Error {
  override name = 'KernelError';
}

/**
 * The file system refused: a missing file, a directory where a file was expected, no permission,
 * a full disk. `code` is Node's error code ('ENOENT', 'EACCES', 'ENOSPC', …) and `path` the
 * absolute path; the original error is the `cause`. Nothing at `path` was changed.
 * @example
 * // [readFileChecked] could not read '/data/model.safetensors' (ENOENT): no such file. Hint: …
 */
export class FileError extends Error {
  override name = 'FileError';
  /** Node's error code, e.g. 'ENOENT'. */
  readonly code: string | undefined;
  /** The absolute path the operation was about. */
  readonly path: string;

  constructor(message: string, options: { code?: string; path: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.path = options.path;
  }
}

/** True for every error class above but KernelError: the failure is the input's (or the call's), not a longshort bug. */
export function isLongshortError(e: unknown): e is Error {
  return (
    e instanceof ShapeError ||
    e instanceof ConfigError ||
    e instanceof NonFiniteError ||
    e instanceof FormatError ||
    e instanceof DivergenceError ||
    e instanceof UnsupportedError ||
    e instanceof FileError
  );
}

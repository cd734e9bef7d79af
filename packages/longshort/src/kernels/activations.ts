// Scalar activation functions used by the recurrent cell, and their derivatives written in
// terms of the function's OUTPUT y = f(x) (that is what the forward pass caches).
// dim key: none — scalars only. `hardSigmoid` is Keras/TF.js's max(0, min(1, 0.2x + 0.5)),
// which is also ONNX HardSigmoid with its default alpha=0.2, beta=0.5.

/** An LSTM gate, cell or hidden activation (LSTMOptions.activations); 'hardSigmoid' is max(0, min(1, 0.2x + 0.5)). */
export type ActivationName = 'sigmoid' | 'tanh' | 'relu' | 'identity' | 'hardSigmoid';

/** Every ActivationName. */
export const ACTIVATIONS: readonly ActivationName[] = ['sigmoid', 'tanh', 'relu', 'identity', 'hardSigmoid'];

/** Numerically safe logistic function: never evaluates exp of a large positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function activation(name: ActivationName): (x: number) => number {
  switch (name) {
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'identity':
      return (x) => x;
    case 'hardSigmoid':
      return (x) => Math.max(0, Math.min(1, 0.2 * x + 0.5));
  }
}

/** f'(x) expressed through y = f(x). */
export function activationGradFromOutput(name: ActivationName): (y: number) => number {
  switch (name) {
    case 'sigmoid':
      return (y) => y * (1 - y);
    case 'tanh':
      return (y) => 1 - y * y;
    case 'relu':
      return (y) => (y > 0 ? 1 : 0);
    case 'identity':
      return () => 1;
    case 'hardSigmoid':
      return (y) => (y > 0 && y < 1 ? 0.2 : 0);
  }
}

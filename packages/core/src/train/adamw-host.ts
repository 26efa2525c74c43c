import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '@trl/spec';
import { wasmFloat32View } from './wasm-heap-view';

/** AdamW moments of one parameter kept in host memory, outside the backend's heap. */
export interface HostMoments {
  /** Updates applied to this parameter; drives bias correction. */
  step: number;
  /** Running mean of gradients, row-major like the parameter. */
  readonly first: Float32Array;
  /** Running mean of squared gradients. */
  readonly second: Float32Array;
}

/** Hyper-parameters of one host update, as numbers (the caller has already picked the learning rate). */
export interface HostUpdateSettings {
  /** Learning rate of this step. */
  learningRate: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator stabiliser. */
  epsilon: number;
  /** Decoupled weight decay, applied when the parameter's `decay` flag is set. */
  weightDecay: number;
}

/** Fresh zero moments for a parameter of `size` elements. */
export function zeroHostMoments(size: number): HostMoments {
  return { step: 0, first: new Float32Array(size), second: new Float32Array(size) };
}

/** Whether every value is finite (no NaN, no ±Infinity). */
export function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    // NaN and ±Infinity are exactly the values for which v − v is not 0.
    const value = values[i] as number;
    if (value - value !== 0) return false;
  }
  return true;
}

/**
 * The AdamW arithmetic on plain arrays: updates `moments` in place and writes the new weights to
 * `out` (which may not alias `weights`). Every scalar and intermediate is rounded to float32 with
 * `Math.fround`, exactly as the device path's float32 kernels round each elementwise op, so both
 * paths compute the same numbers.
 */
export function adamWUpdateArrays(
  grad: Float32Array,
  weights: Float32Array,
  out: Float32Array,
  moments: HostMoments,
  decay: boolean,
  settings: HostUpdateSettings,
): void {
  const { beta1, beta2, epsilon, weightDecay, learningRate } = settings;
  const f = Math.fround;
  const keep1 = f(beta1);
  const take1 = f(1 - beta1);
  const keep2 = f(beta2);
  const take2 = f(1 - beta2);
  const biasCorrection2Sqrt = f(Math.sqrt(1 - beta2 ** moments.step));
  const stepSize = f(learningRate / (1 - beta1 ** moments.step));
  const eps = f(epsilon);
  const shrink = decay && weightDecay !== 0 ? f(1 - learningRate * weightDecay) : 1;
  const { first, second } = moments;
  for (let i = 0; i < out.length; i++) {
    const g = grad[i] as number;
    const m = f(f((first[i] as number) * keep1) + f(g * take1));
    const v = f(f((second[i] as number) * keep2) + f(f(g * g) * take2));
    first[i] = m;
    second[i] = v;
    const denominator = f(f(f(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    // A shrink of exactly 1 leaves float32 weights unchanged, as skipping the decay does.
    out[i] = f((weights[i] as number) * shrink) - f(f(m / denominator) * stepSize);
  }
}

/**
 * One AdamW update of `parameter` with the moments in host memory, from a gradient tensor or a
 * gradient already in host memory. The new weight goes into a fresh
 * backend buffer that `variable.assign` adopts: caches keyed by the old buffer (XNNPACK's packed
 * weights) cannot go stale, and tensors sharing the old buffer keep their values. On wasm the
 * gradient and weight are read, and the result written, in place on the heap; elsewhere through
 * `dataSync` and `tf.tensor`.
 */
export function updateOnHost(
  parameter: NamedVariable,
  grad: tf.Tensor | Float32Array,
  moments: HostMoments,
  settings: HostUpdateSettings,
): void {
  const { variable, decay } = parameter;
  moments.step++;
  let replacement = tf.zeros(variable.shape, 'float32');
  // Views only after the last allocation: allocating may grow (and detach) the heap.
  const out = wasmFloat32View(replacement);
  const gradView = grad instanceof Float32Array ? grad : wasmFloat32View(grad);
  const weightView = wasmFloat32View(variable);
  if (out && gradView && weightView) {
    adamWUpdateArrays(gradView, weightView, out, moments, decay, settings);
  } else {
    replacement.dispose();
    // dataSync may hand out the backend's own storage (cpu): read only, write into a fresh array.
    const updated = new Float32Array(variable.size);
    const weights = variable.dataSync() as Float32Array;
    const values = grad instanceof Float32Array ? grad : (grad.dataSync() as Float32Array);
    adamWUpdateArrays(values, weights, updated, moments, decay, settings);
    replacement = tf.tensor(updated, variable.shape, 'float32');
  }
  variable.assign(replacement);
  replacement.dispose();
}

/**
 * Names of the gradients holding NaN or ±Infinity, checked in host memory one gradient at a time (in
 * place on wasm), so the check allocates nothing on the backend.
 */
export function nonFiniteOnHost(entries: readonly [string, tf.Tensor][]): string[] {
  return entries
    .filter(([, grad]) => !allFinite(wasmFloat32View(grad) ?? (grad.dataSync() as Float32Array)))
    .map(([name]) => name);
}

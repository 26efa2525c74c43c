import * as tf from '@tensorflow/tfjs';

/**
 * Name of an optional fused AdamW kernel. A backend that registers it (e.g. @trl/native for
 * wasm) lets {@link AdamW} update a parameter in one kernel call instead of about fourteen.
 *
 * Inputs: `param`, `grad`, `first`, `second` (float32, same shape). Attributes: {@link AdamWKernelAttrs}.
 * Outputs, in order: the new `param`, `first` and `second`, each a fresh tensor of that shape:
 * `first' = β1·first + (1 − β1)·grad`, `second' = β2·second + (1 − β2)·grad²`,
 * `param' = decayFactor·param − stepSize·first' / (√second' / biasCorrection2Sqrt + ε)`.
 */
export const ADAMW_KERNEL_NAME = 'TrlAdamW';

/** Attributes of {@link ADAMW_KERNEL_NAME}; the step-dependent factors are computed by the caller. */
export interface AdamWKernelAttrs {
  /** Decay of the first moment. */
  beta1: number;
  /** Decay of the second moment. */
  beta2: number;
  /** Added to the denominator. */
  epsilon: number;
  /** `1 − lr·weightDecay` for decayed parameters, else 1 (decoupled weight decay). */
  decayFactor: number;
  /** `lr / (1 − β1^t)`. */
  stepSize: number;
  /** `√(1 − β2^t)`. */
  biasCorrection2Sqrt: number;
}

/** Whether the active backend has the fused AdamW kernel. */
export function hasAdamWKernel(): boolean {
  return tf.getKernel(ADAMW_KERNEL_NAME, tf.getBackend()) !== undefined;
}

/** Runs the fused kernel; the caller owns the three returned tensors. */
export function runAdamWKernel(
  inputs: { param: tf.Tensor; grad: tf.Tensor; first: tf.Tensor; second: tf.Tensor },
  attrs: AdamWKernelAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const outputs = tf
    .engine()
    .runKernel(
      ADAMW_KERNEL_NAME,
      inputs as unknown as tf.NamedTensorMap,
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
  return [outputs[0]!, outputs[1]!, outputs[2]!];
}

import { type CausalLM, type CausalLMInput, type CausalLMOutput, type NamedVariable, tf } from '@trl/core';

/**
 * The reference policy when no `refModel` is given: a frozen copy of the starting weights, swapped
 * into the policy for the length of one forward pass (TRL builds a second model; this costs one copy
 * of the weights instead of a second model object).
 */
export class SnapshotReference {
  private readonly frozen: tf.Tensor[];

  constructor(
    private readonly policy: CausalLM,
    private readonly variables: readonly NamedVariable[],
  ) {
    this.frozen = variables.map((parameter) => tf.clone(parameter.variable));
  }

  /** Forward pass with the frozen weights; the policy's own weights are restored afterwards. */
  forward(input: CausalLMInput): CausalLMOutput {
    const current = this.variables.map((parameter) => tf.clone(parameter.variable));
    try {
      this.assign(this.frozen);
      return this.policy.forward(input);
    } finally {
      this.assign(current);
      tf.dispose(current);
    }
  }

  private assign(values: readonly tf.Tensor[]): void {
    this.variables.forEach((parameter, index) => {
      parameter.variable.assign(values[index] as tf.Tensor);
    });
  }

  /** Frees the frozen copy. */
  dispose(): void {
    tf.dispose(this.frozen);
  }
}

import { type CausalLMInput, type NamedVariable, type Seq2SeqLMInput, TrlError, tf } from '@trl/core';
import type { ForwardModel } from './forward';

/**
 * A frozen reference for a policy when no `refModel` is given (TRL builds one with
 * `create_reference_model`). It keeps a copy of the policy's trainable weights as they were at the
 * start and, for a reference forward pass, swaps them into the policy's variables and back. Works for
 * any architecture; costs one copy of the trainable weights.
 */
export class SnapshotReference implements ForwardModel {
  private readonly policy: ForwardModel;
  private readonly variables: readonly NamedVariable[];
  private readonly frozen: tf.Tensor[];

  /** Copies the current weights of `variables` (the policy's trainable variables). */
  constructor(policy: ForwardModel, variables: readonly NamedVariable[]) {
    this.policy = policy;
    this.variables = variables;
    this.frozen = variables.map((parameter) => tf.clone(parameter.variable));
  }

  /** The frozen weights by checkpoint name, for checkpoints. */
  weights(): Map<string, tf.Tensor> {
    return new Map(
      this.variables.map((parameter, index) => [parameter.name, this.frozen[index] as tf.Tensor]),
    );
  }

  /** Replaces the frozen weights (from a checkpoint); shapes must match. */
  load(weights: ReadonlyMap<string, tf.Tensor>): void {
    this.variables.forEach((parameter) => {
      const saved = weights.get(parameter.name);
      if (!saved || !tf.util.arraysEqual(saved.shape, parameter.variable.shape)) {
        throw new TrlError(
          'invalid-checkpoint',
          `PPOTrainer.resume: the reference snapshot has no tensor of shape [${parameter.variable.shape}] for "${parameter.name}".`,
        );
      }
    });
    this.variables.forEach((parameter, index) => {
      (this.frozen[index] as tf.Tensor).dispose();
      this.frozen[index] = tf.clone(weights.get(parameter.name) as tf.Tensor);
    });
  }

  /** The policy's forward pass with the frozen weights in place (restored afterwards, even on error). */
  forward(input: CausalLMInput | Seq2SeqLMInput): ReturnType<ForwardModel['forward']> {
    const current = this.variables.map((parameter) => tf.clone(parameter.variable));
    try {
      this.assignAll(this.frozen);
      return this.policy.forward(input);
    } finally {
      this.assignAll(current);
      tf.dispose(current);
    }
  }

  private assignAll(values: readonly tf.Tensor[]): void {
    for (const [index, parameter] of this.variables.entries()) {
      parameter.variable.assign(values[index] as tf.Tensor);
    }
  }

  /** Frees the frozen copy. */
  dispose(): void {
    tf.dispose(this.frozen);
  }
}

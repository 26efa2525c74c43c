import * as tf from '@tensorflow/tfjs';
import { type NamedVariable, TrlError } from '@trl/spec';
import { z } from 'zod';
import { getCapability } from '../accel/capabilities';
import {
  allFinite,
  type HostMoments,
  type HostUpdateSettings,
  nonFiniteOnHost,
  updateOnHost,
  zeroHostMoments,
} from './adamw-host';
import { assertGradientMap, type GradientMap, gradientEntries, nonFiniteGradientNames } from './gradients';
import { parseOptions } from './options';

/** AdamW hyper-parameters; defaults are `torch.optim.AdamW`'s (and transformers' TrainingArguments'). */
export const adamWOptionsSchema = z.object({
  /** Step size (`learning_rate`); TRL's PPO default is 1.41e-5. Change it per step with `setLearningRate`. */
  learningRate: z.number().finite().nonnegative(),
  /** Decay of the first-moment average (`adam_beta1`). */
  beta1: z.number().min(0).lt(1).default(0.9),
  /** Decay of the second-moment average (`adam_beta2`). */
  beta2: z.number().min(0).lt(1).default(0.999),
  /** Added to the denominator for stability (`adam_epsilon`). */
  epsilon: z.number().finite().nonnegative().default(1e-8),
  /** Decoupled weight decay (`weight_decay`), applied only to parameters whose `decay` flag is set. */
  weightDecay: z.number().finite().nonnegative().default(0.01),
  /**
   * Check gradients for NaN/Infinity before updating (one extra pass and data read per step) and throw,
   * naming them. A trainer that already calls `clipGradNorm` (which reports a non-finite norm) may turn it off.
   */
  checkFinite: z.boolean().default(true),
  /**
   * Where the moments live. `device`: backend tensors, updated by backend kernels (fastest while
   * they fit). `host`: JS Float32Arrays outside the backend's memory (like DeepSpeed's optimizer
   * offload): each parameter's gradient and weight are read to the host, updated there and the
   * weight written back. Same numbers either way; `host` trades speed for 8 bytes per parameter of
   * backend memory, which a large model on wasm (whose heap fails past 2 GiB) needs.
   */
  stateLocation: z.enum(['device', 'host']).default('device'),
});

/** Options accepted by {@link AdamW} (defaults filled in for omitted fields). */
export type AdamWOptions = z.input<typeof adamWOptionsSchema>;

/** Optimizer state of one parameter, as plain arrays. */
export interface AdamWParameterState {
  /** Updates applied to this parameter (torch keeps it per parameter; it drives bias correction). */
  step: number;
  /** Running mean of gradients (torch `exp_avg`), row-major, same size as the parameter. */
  firstMoment: Float32Array;
  /** Running mean of squared gradients (torch `exp_avg_sq`). */
  secondMoment: Float32Array;
}

/** Everything needed to resume AdamW exactly; plain data, safe to checkpoint. */
export interface AdamWState {
  /** The learning rate in effect when the state was taken. */
  learningRate: number;
  /** Per-parameter state by checkpoint name; parameters never stepped are absent. */
  parameters: Record<string, AdamWParameterState>;
}

interface Moments {
  step: number;
  first: tf.Variable;
  second: tf.Variable;
}

/**
 * AdamW (Loshchilov & Hutter) with PyTorch's exact update order. For each parameter with a gradient:
 *
 *     p  ← p · (1 − lr·weightDecay)                      (only when the parameter's `decay` flag is set)
 *     m  ← β1·m + (1 − β1)·g
 *     v  ← β2·v + (1 − β2)·g²
 *     p  ← p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 *
 * Each parameter is updated in its own `tf.tidy`, so temporaries never pile up across a whole model.
 * With `stateLocation: 'host'` the moments stay in JS memory and only the weights occupy the backend:
 * what lets GPT-2 124M take a step inside the wasm heap.
 */
export class AdamW {
  private readonly parameters: readonly NamedVariable[];
  private readonly lookup = new Map<string, NamedVariable>();
  private readonly moments = new Map<string, Moments>();
  private readonly hostMoments = new Map<string, HostMoments>();
  private readonly options: z.output<typeof adamWOptionsSchema>;
  private currentLearningRate: number;
  private steps = 0;

  /**
   * @param parameters what to optimise: usually `model.trainableVariables()`.
   * @param options hyper-parameters; only `learningRate` is required.
   */
  constructor(parameters: readonly NamedVariable[], options: AdamWOptions) {
    if (!Array.isArray(parameters)) {
      throw new TrlError(
        'invalid-argument',
        'AdamW: `parameters` must be an array of NamedVariable (e.g. model.trainableVariables()).',
      );
    }
    this.options = parseOptions('AdamW', adamWOptionsSchema, options);
    this.currentLearningRate = this.options.learningRate;
    this.parameters = [...parameters];
    const seen = new Set<tf.Variable>();
    for (const [index, parameter] of this.parameters.entries()) {
      if (!parameter || typeof parameter.name !== 'string' || !(parameter.variable instanceof tf.Variable)) {
        throw new TrlError(
          'invalid-argument',
          `AdamW: \`parameters[${index}]\` must be { name, variable: tf.Variable, decay }.`,
        );
      }
      if (this.lookup.has(parameter.name)) {
        throw new TrlError(
          'invalid-argument',
          `AdamW: \`parameters\` lists "${parameter.name}" twice; names must be unique.`,
        );
      }
      if (seen.has(parameter.variable)) {
        throw new TrlError(
          'invalid-argument',
          `AdamW: \`parameters\` lists the variable of "${parameter.name}" twice.`,
        );
      }
      if (parameter.variable.dtype !== 'float32') {
        throw new TrlError(
          'invalid-argument',
          `AdamW: parameter "${parameter.name}" is ${parameter.variable.dtype}; only float32 is trained.`,
        );
      }
      seen.add(parameter.variable);
      this.lookup.set(parameter.name, parameter);
    }
    // tf.variableGrads keys gradients by the tfjs variable name, so accept those as aliases.
    for (const parameter of this.parameters) {
      if (!this.lookup.has(parameter.variable.name)) this.lookup.set(parameter.variable.name, parameter);
    }
  }

  /** The learning rate the next `step` will use. */
  get learningRate(): number {
    return this.currentLearningRate;
  }

  /** Number of `step` calls so far (restored by `loadState` as the largest per-parameter step). */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets the learning rate for following steps (what an LR schedule calls before each step). */
  setLearningRate(learningRate: number): void {
    if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
      throw new TrlError(
        'invalid-argument',
        `AdamW.setLearningRate: \`learningRate\` must be a finite number >= 0, got ${String(learningRate)}.`,
      );
    }
    this.currentLearningRate = learningRate;
  }

  /**
   * Applies one update from `grads` (keyed by checkpoint name or tfjs variable name). Parameters without
   * a gradient are left alone, as torch skips parameters whose `.grad` is None. The caller still owns
   * (and disposes) `grads`. With `checkFinite`, a NaN/Infinity gradient throws before anything changes.
   */
  step(grads: GradientMap): void {
    const fn = 'AdamW.step';
    assertGradientMap(fn, grads);
    const updates = this.resolve(fn, gradientEntries(grads), (grad, parameter) =>
      tf.util.arraysEqual(grad.shape, parameter.variable.shape)
        ? undefined
        : `has shape [${grad.shape}] but the parameter has [${parameter.variable.shape}]`,
    );
    if (this.options.checkFinite) {
      const named = updates.map(([parameter, grad]): [string, tf.Tensor] => [parameter.name, grad]);
      this.assertFinite(fn, this.onHost ? nonFiniteOnHost(named) : nonFiniteGradientNames(named));
    }
    for (const [parameter, grad] of updates) this.update(parameter, grad);
    this.steps++;
  }

  /**
   * Like `step`, from gradients already in host memory (copied off the backend as backward produced
   * them, so they never pile up in a small heap): row-major Float32Arrays keyed the same way. With
   * `stateLocation: 'host'` nothing is uploaded; otherwise each gradient is uploaded, used and freed in
   * turn. The arrays are only read.
   */
  stepWithHostGradients(grads: ReadonlyMap<string, Float32Array>): void {
    const fn = 'AdamW.stepWithHostGradients';
    if (!(grads instanceof Map)) {
      throw new TrlError(
        'invalid-argument',
        `${fn}: \`grads\` must be a Map from parameter name to Float32Array.`,
      );
    }
    const updates = this.resolve(fn, [...grads.entries()], (grad, parameter) => {
      if (!(grad instanceof Float32Array)) return 'must be a Float32Array';
      return grad.length === parameter.variable.size
        ? undefined
        : `has ${grad.length} values but the parameter has ${parameter.variable.size}`;
    });
    if (this.options.checkFinite) {
      this.assertFinite(
        fn,
        updates.filter(([, grad]) => !allFinite(grad)).map(([parameter]) => parameter.name),
      );
    }
    for (const [parameter, grad] of updates) {
      if (this.onHost) {
        updateOnHost(parameter, grad, this.hostMomentsOf(parameter), this.hostSettings());
      } else {
        const uploaded = tf.tensor(grad, parameter.variable.shape, 'float32');
        this.update(parameter, uploaded);
        uploaded.dispose();
      }
    }
    this.steps++;
  }

  /** Pairs each gradient with its parameter; throws naming the key on an unknown, repeated or misfit one. */
  private resolve<G>(
    fn: string,
    entries: readonly [string, G][],
    misfit: (grad: G, parameter: NamedVariable) => string | undefined,
  ): [NamedVariable, G][] {
    const updates: [NamedVariable, G][] = [];
    const claimed = new Set<NamedVariable>();
    for (const [name, grad] of entries) {
      const parameter = this.lookup.get(name);
      if (!parameter) {
        throw new TrlError(
          'invalid-argument',
          `${fn}: \`grads["${name}"]\` matches no parameter given to the optimizer.`,
        );
      }
      if (claimed.has(parameter)) {
        throw new TrlError(
          'invalid-argument',
          `${fn}: \`grads\` holds two gradients for parameter "${parameter.name}".`,
        );
      }
      const problem = misfit(grad, parameter);
      if (problem) throw new TrlError('invalid-argument', `${fn}: \`grads["${name}"]\` ${problem}.`);
      claimed.add(parameter);
      updates.push([parameter, grad]);
    }
    return updates;
  }

  private assertFinite(fn: string, bad: readonly string[]): void {
    if (bad.length === 0) return;
    throw new TrlError(
      'non-finite-value',
      `${fn}: gradients of ${bad.map((name) => `"${name}"`).join(', ')} hold NaN or Infinity; ` +
        'no parameter was updated. Lower the learning rate or clip gradients (clipGradNorm).',
    );
  }

  private hostMomentsOf(parameter: NamedVariable): HostMoments {
    let moments = this.hostMoments.get(parameter.name);
    if (!moments) {
      moments = zeroHostMoments(parameter.variable.size);
      this.hostMoments.set(parameter.name, moments);
    }
    return moments;
  }

  private hostSettings(): HostUpdateSettings {
    return { ...this.options, learningRate: this.currentLearningRate };
  }

  private get onHost(): boolean {
    return this.options.stateLocation === 'host';
  }

  private update(parameter: NamedVariable, grad: tf.Tensor): void {
    if (this.onHost) {
      updateOnHost(parameter, grad, this.hostMomentsOf(parameter), this.hostSettings());
      return;
    }
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const learningRate = this.currentLearningRate;
    const moments = this.momentsOf(parameter);
    moments.step++;
    const biasCorrection1 = 1 - beta1 ** moments.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** moments.step);
    const variable = parameter.variable;
    const decays = parameter.decay && weightDecay !== 0;
    const fused = getCapability('fusedAdamW');
    if (fused?.supportsBackend(tf.getBackend())) {
      const outputs = fused.update(
        { param: variable, grad, first: moments.first, second: moments.second },
        {
          beta1,
          beta2,
          epsilon,
          decayFactor: decays ? 1 - learningRate * weightDecay : 1,
          stepSize: learningRate / biasCorrection1,
          biasCorrection2Sqrt,
        },
      );
      variable.assign(outputs[0]);
      moments.first.assign(outputs[1]);
      moments.second.assign(outputs[2]);
      tf.dispose(outputs);
      return;
    }
    tf.tidy(() => {
      const first = tf.add(tf.mul(moments.first, beta1), tf.mul(grad, 1 - beta1));
      const second = tf.add(tf.mul(moments.second, beta2), tf.mul(tf.square(grad), 1 - beta2));
      const denominator = tf.add(tf.div(tf.sqrt(second), biasCorrection2Sqrt), epsilon);
      const decayed = decays ? tf.mul(variable, 1 - learningRate * weightDecay) : variable;
      const updated = tf.sub(decayed, tf.mul(tf.div(first, denominator), learningRate / biasCorrection1));
      moments.first.assign(first);
      moments.second.assign(second);
      variable.assign(updated);
    });
  }

  private momentsOf(parameter: NamedVariable): Moments {
    let moments = this.moments.get(parameter.name);
    if (!moments) {
      const shape = parameter.variable.shape;
      moments = {
        step: 0,
        first: tf.tidy(() => tf.variable(tf.zeros(shape), false)),
        second: tf.tidy(() => tf.variable(tf.zeros(shape), false)),
      };
      this.moments.set(parameter.name, moments);
    }
    return moments;
  }

  /** A copy of the optimizer state (device moments are read back from the backend). */
  getState(): AdamWState {
    const parameters: Record<string, AdamWParameterState> = {};
    for (const [name, moments] of this.hostMoments) {
      parameters[name] = {
        step: moments.step,
        firstMoment: Float32Array.from(moments.first),
        secondMoment: Float32Array.from(moments.second),
      };
    }
    for (const [name, moments] of this.moments) {
      parameters[name] = {
        step: moments.step,
        firstMoment: Float32Array.from(moments.first.dataSync() as Float32Array),
        secondMoment: Float32Array.from(moments.second.dataSync() as Float32Array),
      };
    }
    return { learningRate: this.currentLearningRate, parameters };
  }

  /** Restores a state from `getState` (possibly of another process); names and sizes must match. */
  loadState(state: AdamWState): void {
    const fn = 'AdamW.loadState';
    if (
      state === null ||
      typeof state !== 'object' ||
      state.parameters === null ||
      typeof state.parameters !== 'object'
    ) {
      throw new TrlError(
        'invalid-checkpoint',
        `${fn}: \`state\` must be { learningRate, parameters } as returned by getState().`,
      );
    }
    const entries = Object.entries(state.parameters);
    for (const [name, saved] of entries) {
      const parameter = this.parameters.find((candidate) => candidate.name === name);
      if (!parameter)
        throw new TrlError(
          'invalid-checkpoint',
          `${fn}: \`state.parameters["${name}"]\` matches no parameter of this optimizer.`,
        );
      const size = parameter.variable.size;
      if (!Number.isInteger(saved?.step) || saved.step < 1) {
        throw new TrlError(
          'invalid-checkpoint',
          `${fn}: \`state.parameters["${name}"].step\` must be an integer >= 1.`,
        );
      }
      for (const field of ['firstMoment', 'secondMoment'] as const) {
        const values = saved[field];
        if (!(values instanceof Float32Array) || values.length !== size) {
          throw new TrlError(
            'invalid-checkpoint',
            `${fn}: \`state.parameters["${name}"].${field}\` must be a Float32Array of ${size} values.`,
          );
        }
      }
    }
    this.setLearningRate(state.learningRate);
    this.disposeMoments();
    for (const [name, saved] of entries) {
      const parameter = this.parameters.find((candidate) => candidate.name === name) as NamedVariable;
      if (this.onHost) {
        this.hostMoments.set(name, {
          step: saved.step,
          first: Float32Array.from(saved.firstMoment),
          second: Float32Array.from(saved.secondMoment),
        });
        continue;
      }
      const shape = parameter.variable.shape;
      this.moments.set(name, {
        step: saved.step,
        first: tf.tidy(() => tf.variable(tf.tensor(saved.firstMoment, shape), false)),
        second: tf.tidy(() => tf.variable(tf.tensor(saved.secondMoment, shape), false)),
      });
    }
    this.steps = Math.max(0, ...entries.map(([, saved]) => saved.step));
  }

  /** Frees the moments (tensors or host arrays); the optimizer starts from zero moments if stepped again. */
  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const moments of this.moments.values()) {
      moments.first.dispose();
      moments.second.dispose();
    }
    this.moments.clear();
    this.hostMoments.clear();
  }
}

import {
  AdamW,
  type CausalLM,
  type CausalLMInput,
  type CausalLMOutput,
  clipGradNorm,
  GRPO_LOSS_METRIC_NAMES,
  type GrpoLossStats,
  grpoAdvantages,
  grpoLoss,
  type NamedVariable,
  Rng,
  type Tokenizer,
  TrlError,
  tf,
} from '@trl/core';
import { type GRPOConfig, type GRPOConfigInput, parseGrpoConfig } from './config';
import { completionLogprobs, layoutGrpoBatch } from './forward';
import { SnapshotReference } from './reference';
import { type NamedRewardFunc, nameRewardFuncs, type RewardFunc, scoreCompletions } from './rewards';
import { defaultRollout, type Rollout, type RolloutFunction } from './rollout';
import { lengthMetrics, rewardFuncMetrics } from './stats';

/** Options of {@link GRPOTrainer}. */
export interface GRPOTrainerOptions {
  /** GRPO config; TRL 1.13 defaults for anything left out. */
  config?: GRPOConfigInput;
  /** The policy to train. */
  model: CausalLM;
  /** Decodes prompts and completions for the reward functions; its eos ends completions. */
  tokenizer: Tokenizer;
  /** One or more reward functions (TRL `reward_funcs`), weighted by `config.rewardWeights`. */
  rewardFuncs: readonly (RewardFunc | NamedRewardFunc)[];
  /** Reference model for the KL term (`beta > 0`); default a frozen snapshot of the starting weights. */
  refModel?: Pick<CausalLM, 'forward'>;
  /** Replaces the single-turn sampling step, e.g. with a multi-turn tool episode. */
  rollout?: RolloutFunction;
  /** Default: AdamW over `model.trainableVariables()` with `learningRate` and `weightDecay`. */
  optimizer?: AdamW;
}

/** Per-completion dataset columns for a batch of prompts: one entry per prompt. */
export type PromptColumns = Record<string, readonly unknown[]>;

/**
 * TRL 1.13's `GRPOTrainer` for one process: each {@link step} samples `numGenerations` completions per
 * prompt, scores them with the reward functions, turns the scores into group-relative advantages and
 * takes `numIterations` optimizer steps on the GRPO loss over the same completions.
 */
export class GRPOTrainer {
  /** The parsed config. */
  readonly config: GRPOConfig;
  /** The optimizer. */
  readonly optimizer: AdamW;
  private readonly model: CausalLM;
  private readonly tokenizer: Tokenizer;
  private readonly rewardFuncs: NamedRewardFunc[];
  private readonly rollout: RolloutFunction;
  private readonly variables: NamedVariable[];
  private readonly reference?: { forward(input: CausalLMInput): CausalLMOutput };
  private readonly snapshot?: SnapshotReference;
  private readonly ownsOptimizer: boolean;
  private readonly rng: Rng;
  private readonly eosTokenId: number | undefined;
  private readonly padTokenId: number;
  private numTokensSeen = 0;
  private steps = 0;

  constructor(options: GRPOTrainerOptions) {
    if (typeof options !== 'object' || options === null || !options.model || !options.tokenizer) {
      throw new TrlError(
        'invalid-argument',
        'GRPOTrainer: pass { config, model, tokenizer, rewardFuncs, refModel?, rollout?, optimizer? }.',
      );
    }
    this.config = parseGrpoConfig(options.config);
    this.model = options.model;
    this.tokenizer = options.tokenizer;
    this.rewardFuncs = nameRewardFuncs(options.rewardFuncs);
    const weights = this.config.rewardWeights;
    if (weights !== undefined && weights.length !== this.rewardFuncs.length) {
      throw new TrlError(
        'invalid-value',
        `GRPOTrainer: config.rewardWeights has ${weights.length} entries for ${this.rewardFuncs.length} reward functions; give one weight per function.`,
      );
    }
    this.rollout = options.rollout ?? defaultRollout;
    this.variables = this.model.trainableVariables();
    if (this.variables.length === 0) {
      throw new TrlError(
        'invalid-argument',
        'GRPOTrainer: `model.trainableVariables()` is empty; nothing to train.',
      );
    }
    this.eosTokenId = this.tokenizer.eosTokenId ?? this.model.info.eosTokenId;
    const pad = this.tokenizer.padTokenId ?? this.eosTokenId;
    if (pad === undefined) {
      throw new TrlError(
        'invalid-argument',
        'GRPOTrainer: the tokenizer has neither a pad nor an eos token id.',
      );
    }
    this.padTokenId = pad;
    if (this.config.beta > 0) {
      if (options.refModel) this.reference = options.refModel;
      else {
        this.snapshot = new SnapshotReference(this.model, this.variables);
        this.reference = this.snapshot;
      }
    }
    this.ownsOptimizer = options.optimizer === undefined;
    this.optimizer =
      options.optimizer ??
      new AdamW(this.variables, {
        learningRate: this.config.learningRate,
        weightDecay: this.config.weightDecay,
        checkFinite: false,
      });
    this.rng = new Rng(this.config.seed);
  }

  /** Optimizer steps taken so far. */
  get globalStep(): number {
    return this.steps;
  }

  /**
   * One GRPO generation batch: rollout, rewards, advantages, then `numIterations` updates. `columns`
   * are dataset columns (one entry per prompt), repeated per completion for the reward functions.
   * Returns TRL's metrics for the batch.
   */
  async step(
    prompts: readonly (readonly number[])[],
    columns: PromptColumns = {},
  ): Promise<Record<string, number>> {
    const c = this.config;
    this.checkPrompts(prompts, columns);
    const rollout = await this.rollout({
      model: this.model,
      prompts,
      numGenerations: c.numGenerations,
      generation: {
        maxNewTokens: c.maxCompletionLength,
        doSample: true,
        temperature: c.temperature,
        topP: c.topP,
        topK: c.topK,
        seed: this.rng.nextSeed(),
        padTokenId: this.padTokenId,
        ...(this.eosTokenId === undefined ? {} : { eosTokenId: this.eosTokenId }),
      },
    });
    const rows = prompts.length * c.numGenerations;
    this.checkRollout(rollout, rows);
    const completionMask = rollout.completionMask.map((mask, row) =>
      c.maskTruncatedCompletions && rollout.truncated[row] ? mask.map(() => 0) : mask,
    );

    const repeated: Record<string, unknown[]> = {};
    for (const [name, values] of Object.entries(columns)) {
      repeated[name] = values.flatMap((value) => Array.from({ length: c.numGenerations }, () => value));
    }
    const scores = await scoreCompletions(this.rewardFuncs, {
      ...repeated,
      ...rollout.rewardKwargs,
      prompts: rollout.promptIds.map((ids) => this.tokenizer.decode(ids)),
      completions: rollout.completionIds.map((ids) => this.tokenizer.decode(ids)),
      completionIds: rollout.completionIds,
    });

    const funcs = this.rewardFuncs.length;
    const scoreTensor = tf.tensor2d(scores, [rows, funcs]);
    let advantageOut: ReturnType<typeof grpoAdvantages>;
    try {
      advantageOut = grpoAdvantages(scoreTensor, {
        numGenerations: c.numGenerations,
        scaleRewards: c.scaleRewards,
        ...(c.rewardWeights ? { rewardWeights: c.rewardWeights } : {}),
      });
    } finally {
      scoreTensor.dispose();
    }
    const rewardStats = tf.tidy(() =>
      tf.stack([
        advantageOut.stats.reward,
        advantageOut.stats.rewardStd,
        advantageOut.stats.fracRewardZeroStd,
      ]),
    );
    const [reward, rewardStd, fracZero] = Array.from(rewardStats.dataSync());
    rewardStats.dispose();

    const batch = layoutGrpoBatch(rollout.promptIds, rollout.completionIds, completionMask, this.padTokenId);
    const shape: [number, number] = [rows, batch.completionLength];
    const labels = tf.tensor2d(batch.labels, shape, 'int32');
    const mask = tf.tensor2d(batch.mask, shape, 'float32');
    const numItemsInBatch = batch.mask.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    const noGrad = (model: Pick<CausalLM, 'forward'>) =>
      tf.tidy(() => completionLogprobs(model, batch, labels, c.temperature).logprobs);
    // With one iteration the old policy is the current one; grpoLoss then uses stopGradient(logprobs).
    const oldLogprobs = c.numIterations > 1 ? noGrad(this.model) : undefined;
    const refLogprobs = this.reference ? noGrad(this.reference) : undefined;

    const lossSums = new Map<string, number>();
    let skipped = 0;
    try {
      for (let iteration = 0; iteration < c.numIterations; iteration++) {
        let statTensors: tf.Tensor[] = [];
        let statNames: string[] = [];
        const { value, grads } = tf.variableGrads(
          () => {
            const { logprobs, entropies } = completionLogprobs(
              this.model,
              batch,
              labels,
              c.temperature,
              true,
            );
            const out = grpoLoss(
              {
                logprobs,
                advantages: advantageOut.advantages,
                mask,
                ...(oldLogprobs ? { oldLogprobs } : {}),
                ...(refLogprobs ? { refLogprobs } : {}),
                ...(entropies ? { entropies } : {}),
                numItemsInBatch,
              },
              {
                lossType: c.lossType,
                epsilon: c.epsilon,
                ...(c.epsilonHigh === undefined ? {} : { epsilonHigh: c.epsilonHigh }),
                ...(c.delta === undefined ? {} : { delta: c.delta }),
                beta: c.beta,
                importanceSamplingLevel: c.importanceSamplingLevel,
                maxCompletionLength: c.maxCompletionLength,
              },
            );
            const entries = Object.entries(out.stats) as [keyof GrpoLossStats, tf.Scalar | undefined][];
            const present = entries.filter((entry): entry is [keyof GrpoLossStats, tf.Scalar] => !!entry[1]);
            statNames = ['loss', ...present.map(([key]) => GRPO_LOSS_METRIC_NAMES[key])];
            statTensors = [tf.keep(tf.stack([out.policyLoss, ...present.map(([, t]) => t)]))];
            return out.loss;
          },
          this.variables.map((parameter) => parameter.variable),
        );
        value.dispose();
        const numbers = (statTensors[0] as tf.Tensor).dataSync();
        tf.dispose(statTensors);
        statNames.forEach((name, index) => {
          lossSums.set(name, (lossSums.get(name) ?? 0) + (numbers[index] as number));
        });
        if (!this.applyUpdate(new Map(Object.entries(grads)))) skipped++;
        this.steps++;
      }
    } finally {
      tf.dispose([labels, mask, advantageOut.advantages, advantageOut.rewards, oldLogprobs, refLogprobs]);
      tf.dispose(Object.values(advantageOut.stats));
    }

    const inputTokens = batch.attentionMask.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
    this.numTokensSeen += inputTokens;
    const metrics: Record<string, number> = {
      num_tokens: this.numTokensSeen,
      ...lengthMetrics(rollout.completionIds, rollout.truncated),
      ...rewardFuncMetrics(this.rewardFuncs, scores),
      reward: reward as number,
      reward_std: rewardStd as number,
      frac_reward_zero_std: fracZero as number,
      learning_rate: this.optimizer.learningRate,
      skipped_updates: skipped,
    };
    for (const [name, sum] of lossSums) metrics[name] = sum / c.numIterations;
    return metrics;
  }

  /** Clips and applies the gradients; false (and nothing changed) if any is NaN or infinite. */
  private applyUpdate(grads: Map<string, tf.Tensor>): boolean {
    try {
      const norm =
        this.config.maxGradNorm === null
          ? Number(tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0])
          : clipGradNorm(grads, this.config.maxGradNorm);
      if (!Number.isFinite(norm)) return false;
      this.optimizer.step(grads);
      return true;
    } finally {
      tf.dispose([...grads.values()]);
    }
  }

  private checkPrompts(prompts: readonly (readonly number[])[], columns: PromptColumns): void {
    if (!Array.isArray(prompts) || prompts.length === 0) {
      throw new TrlError(
        'invalid-argument',
        'GRPOTrainer.step: `prompts` must be a non-empty array of token-id arrays.',
      );
    }
    prompts.forEach((prompt, index) => {
      if (!Array.isArray(prompt) || prompt.length === 0 || !prompt.every(Number.isInteger)) {
        throw new TrlError(
          'invalid-argument',
          `GRPOTrainer.step: \`prompts[${index}]\` must be a non-empty array of integer token ids.`,
        );
      }
    });
    for (const [name, values] of Object.entries(columns)) {
      if (!Array.isArray(values) || values.length !== prompts.length) {
        throw new TrlError(
          'invalid-argument',
          `GRPOTrainer.step: column "${name}" must have one entry per prompt (${prompts.length}).`,
        );
      }
    }
  }

  private checkRollout(rollout: Rollout, rows: number): void {
    const { promptIds, completionIds, completionMask, truncated } = rollout;
    const ok =
      promptIds.length === rows &&
      completionIds.length === rows &&
      completionMask.length === rows &&
      truncated.length === rows &&
      completionMask.every((mask, row) => mask.length === (completionIds[row] as number[]).length);
    if (!ok) {
      throw new TrlError(
        'invalid-value',
        `GRPOTrainer: the rollout must return ${rows} prompts, completions, masks (each as long as its completion) and truncated flags.`,
      );
    }
  }

  /** Frees the trainer's own tensors (reference snapshot, optimizer state it created). */
  dispose(): void {
    this.snapshot?.dispose();
    if (this.ownsOptimizer) this.optimizer.dispose();
  }
}

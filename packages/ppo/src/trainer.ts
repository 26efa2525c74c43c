import { join } from 'node:path';
import {
  AdamW,
  AdaptiveKLController,
  assertKnownKeys,
  type CausalLM,
  CHECKPOINT_FILES,
  clipGradNorm,
  FixedKLController,
  type KLController,
  type LrSchedule,
  type Metrics,
  type NamedVariable,
  nestedKeyHints,
  Rng,
  RunningMoments,
  resolvePadTokenId,
  type Seq2SeqLM,
  type Seq2SeqValueHeadModel,
  SPECIFICATION_VERSION,
  type Tokenizer,
  type Tracker,
  TrlError,
  tf,
  type ValueHeadModel,
} from '@trl/core';
import { CHECKPOINT_FORMAT, readCheckpoint, type TrainerState, writeCheckpoint } from './checkpoint';
import { chunks } from './chunks';
import { type PPOConfig, type PPOConfigInput, parsePPOConfig, ppoConfigSchema } from './config';
import type { ForwardModel } from './forward';
import { generateResponses, type PPOGenerateOptions } from './generate';
import { LengthSampler } from './length-sampler';
import { collectRollout, type Rollout } from './rollout';
import { type Sample, type TokenRow, toSamples } from './samples';
import { transformScores } from './scores';
import { SnapshotReference } from './snapshot-reference';
import type { PPOStatKey } from './stat-keys';
import { aggregateMinibatchStats, rolloutStats } from './stats';
import { computeTargets, type Targets } from './targets';
import { type MinibatchStats, trainMinibatch } from './train-minibatch';

/** A policy PPO can train: a causal LM or an encoder-decoder, each with a value head. */
export type PPOPolicy = ValueHeadModel | Seq2SeqValueHeadModel;

/** Arguments of the {@link PPOTrainer} constructor (TRL's `PPOTrainer(config, model, ref_model, tokenizer, ...)`). */
export interface PPOTrainerOptions<Model extends PPOPolicy = ValueHeadModel> {
  /** PPO settings; defaults as TRL v0.7.4. */
  config?: PPOConfigInput;
  /**
   * The policy with its value head; trained in place. An encoder-decoder (`Seq2SeqWithValueHead`,
   * TRL's `AutoModelForSeq2SeqLMWithValueHead`) takes the queries in its encoder and the responses
   * in its decoder.
   */
  model: Model;
  /**
   * Frozen reference for the KL penalty. Default: a snapshot of the policy's trainable weights at
   * construction (see the README); pass `createReferenceModel(model)` from @trl/models to share layers.
   */
  refModel?: Pick<CausalLM, 'forward'> | Pick<Seq2SeqLM, 'forward'>;
  /** Supplies the pad and eos ids. */
  tokenizer: Tokenizer;
  /** Default: AdamW over `model.trainableVariables()` with `config.learningRate` and no weight decay (TRL's Adam). */
  optimizer?: AdamW;
  /** Learning rate per PPO step (called with the number of steps taken before each step). */
  lrScheduler?: LrSchedule;
  /** Receives the stats of every step. */
  tracker?: Tracker;
  /**
   * Draws `maxNewTokens` for `generate` calls that pass neither `maxNewTokens` nor `lengthSampler`.
   * Its position is saved and restored with the checkpoint, so a resumed run draws the same lengths
   * as an uninterrupted one (a sampler only passed to `generate` is not checkpointed).
   */
  lengthSampler?: LengthSampler;
}

/** Every option {@link PPOTrainer} reads; anything else is a mistake worth an error. */
const OPTION_KEYS: Record<keyof PPOTrainerOptions, true> = {
  config: true,
  model: true,
  refModel: true,
  tokenizer: true,
  optimizer: true,
  lrScheduler: true,
  tracker: true,
  lengthSampler: true,
};

/** The stats of one PPO step under TRL's keys (see `PPO_STAT_KEYS`); a `Metrics` record for trackers. */
export type PPOStats = Record<PPOStatKey, number>;

function now(): number {
  return performance.now() / 1000;
}

/**
 * PPO for language models with TRL v0.7.4's semantics: `step` takes queries, responses and scores,
 * runs the policy and reference forward passes, turns scores into KL-penalised per-token rewards and
 * whitened GAE advantages, and optimises the clipped PPO objective for `ppoEpochs` epochs of shuffled
 * minibatches. Known TRL bugs are fixed (see the package README).
 */
export class PPOTrainer<Model extends PPOPolicy = ValueHeadModel> {
  /** The validated config. */
  readonly config: PPOConfig;
  /** The policy with value head. */
  readonly model: Model;
  /** The tokenizer. */
  readonly tokenizer: Tokenizer;
  /** The optimizer. */
  readonly optimizer: AdamW;
  /** The KL coefficient controller (adaptive or fixed per `adapKlCtrl`). */
  readonly klController: KLController;
  /** Running score moments (used with `useScoreScaling`). */
  readonly runningMoments = new RunningMoments();
  private readonly reference: ForwardModel;
  private readonly snapshot: SnapshotReference | undefined;
  private readonly lrScheduler: LrSchedule | undefined;
  private readonly tracker: Tracker | undefined;
  private readonly lengthSampler: LengthSampler | undefined;
  private readonly variables: NamedVariable[];
  private readonly padTokenId: number;
  /** Set for an encoder-decoder policy: the token every decoder row starts with. */
  private readonly decoderStartTokenId: number | undefined;
  private shuffleRng: Rng;
  private generationRng: Rng;
  private readonly ownsOptimizer: boolean;
  private steps = 0;
  private skipped = 0;

  /** Validates the config and wires the parts together; see {@link PPOTrainerOptions}. */
  constructor(options: PPOTrainerOptions<Model>) {
    if (options === null || typeof options !== 'object') {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: pass { config, model, tokenizer, refModel?, optimizer?, lrScheduler?, tracker? }.',
      );
    }
    // A PPO setting written next to `model` instead of inside `config` would otherwise be ignored.
    assertKnownKeys('PPOTrainer', options, Object.keys(OPTION_KEYS), {
      hints: nestedKeyHints(Object.keys(ppoConfigSchema.shape), 'config'),
    });
    const { model, tokenizer } = options;
    if (!model || typeof model.forward !== 'function' || typeof model.trainableVariables !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `model` must be a ValueHeadModel (e.g. AutoModelForCausalLMWithValueHead.fromPretrained(...)).',
      );
    }
    if (model.specificationVersion !== SPECIFICATION_VERSION) {
      throw new TrlError(
        'invalid-argument',
        `PPOTrainer: \`model\` implements trl-ts spec ${String(model.specificationVersion)}, this trainer needs ${SPECIFICATION_VERSION}; use matching @trl/core and model packages.`,
      );
    }
    if (!tokenizer || typeof tokenizer.decode !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `tokenizer` must be a Tokenizer (e.g. AutoTokenizer.fromPretrained(...)).',
      );
    }
    if (options.refModel !== undefined && typeof options.refModel?.forward !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `refModel` must be a causal LM or an encoder-decoder (matching the policy) with a `forward` method, or omitted.',
      );
    }
    if (options.lrScheduler !== undefined && typeof options.lrScheduler !== 'function') {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `lrScheduler` must be a function (step) => learning rate, e.g. createLrSchedule(...).',
      );
    }
    if (options.lengthSampler !== undefined && !(options.lengthSampler instanceof LengthSampler)) {
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `lengthSampler` must be a LengthSampler (new LengthSampler(min, max, seed)); pass a plain function to `generate` instead.',
      );
    }
    this.lengthSampler = options.lengthSampler;
    this.config = parsePPOConfig(options.config ?? {});
    this.model = model;
    this.tokenizer = tokenizer;
    this.variables = model.trainableVariables();
    if (this.variables.length === 0)
      throw new TrlError(
        'invalid-argument',
        'PPOTrainer: `model.trainableVariables()` is empty; nothing to train.',
      );
    this.ownsOptimizer = options.optimizer === undefined;
    this.optimizer =
      options.optimizer ??
      new AdamW(this.variables, {
        learningRate: this.config.learningRate,
        weightDecay: 0,
        checkFinite: false,
      });
    const { adapKlCtrl, initKlCoef, target, horizon, seed } = this.config;
    this.klController = adapKlCtrl
      ? new AdaptiveKLController(initKlCoef, target, horizon)
      : new FixedKLController(initKlCoef);
    this.snapshot = options.refModel ? undefined : new SnapshotReference(model, this.variables);
    this.reference = options.refModel ?? (this.snapshot as SnapshotReference);
    this.lrScheduler = options.lrScheduler;
    this.tracker = options.tracker;
    const padTokenId = resolvePadTokenId(tokenizer, model.info);
    this.padTokenId = padTokenId;
    this.decoderStartTokenId = decoderStartTokenOf(model);
    const root = new Rng(seed);
    this.shuffleRng = root.fork();
    this.generationRng = root.fork();
  }

  /** PPO steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Minibatches skipped so far (ratio threshold, non-finite loss or gradients). */
  get skippedBatches(): number {
    return this.skipped;
  }

  /**
   * Generates responses for `queries` with the policy (TRL `PPOTrainer.generate` for a list): batches
   * of `batchSize`, `maxNewTokens` from `lengthSampler` per batch, seeds from the trainer's seeded
   * stream, responses cut after the first eos. Returns prompt + response ids unless `returnPrompt` is false
   * (an encoder-decoder returns the responses alone).
   */
  generate(queries: readonly TokenRow[], options: PPOGenerateOptions = {}): Promise<number[][]> {
    const eos = this.tokenizer.eosTokenId ?? this.model.info.eosTokenId;
    const useOwnSampler =
      this.lengthSampler && options.lengthSampler === undefined && options.maxNewTokens === undefined;
    const resolved = useOwnSampler ? { ...options, lengthSampler: this.lengthSampler?.sample } : options;
    return generateResponses(this.model, queries, resolved, {
      eosTokenId: eos,
      padTokenId: this.padTokenId,
      rng: this.generationRng,
      encoderDecoder: this.decoderStartTokenId !== undefined,
    });
  }

  /**
   * One PPO optimisation step on a batch of any size (TRL `step`). `responseMasks` (optional, one 0/1
   * per response token) marks the tokens the model produced; 0 marks tool output, which is neither
   * trained on nor scored. Returns TRL's stats; also logs them to the tracker.
   */
  async step(
    queries: readonly TokenRow[],
    responses: readonly TokenRow[],
    scores: readonly number[],
    responseMasks?: readonly (readonly number[])[],
  ): Promise<PPOStats> {
    const started = now();
    const samples = toSamples(queries, responses, scores, responseMasks, {
      vocabSize: this.model.info.vocabSize,
      maxPositions: this.model.info.maxPositions,
      encoderDecoder: this.decoderStartTokenId !== undefined,
    });
    const config = this.config;
    const processedScores = transformScores(
      samples.map((sample) => sample.score),
      this.runningMoments,
      config,
    );
    if (this.lrScheduler) this.optimizer.setLearningRate(this.lrScheduler(this.steps));
    const learningRate = this.optimizer.learningRate;
    const timing: Metrics = {};

    let mark = now();
    const rollout = collectRollout(
      this.model,
      this.reference,
      samples,
      config.miniBatchSize,
      this.padTokenId,
      config.klPenalty,
      this.decoderStartTokenId,
    );
    timing['time/ppo/forward_pass'] = now() - mark;

    mark = now();
    const klCoef = this.klController.value;
    const masks = samples.map((sample) => sample.responseMask);
    const targets = computeTargets(rollout, masks, processedScores, {
      klCoef,
      klPenalty: config.klPenalty,
      gamma: config.gamma,
      lam: config.lam,
      whitenRewards: config.whitenRewards,
    });
    timing['time/ppo/compute_rewards_and_advantages'] = now() - mark;

    mark = now();
    const optimisation = this.optimise(samples, rollout, targets);
    timing['time/ppo/optimize_step'] = now() - mark;

    mark = now();
    const stats = {
      ...rolloutStats({
        scores: processedScores,
        logprobs: rollout.logprobs,
        refLogprobs: rollout.refLogprobs,
        nonScoreRewards: targets.nonScoreRewards,
        masks,
        queryLengths: samples.map((sample) => sample.query.length),
        responseLengths: samples.map((sample) => sample.response.length),
      }),
      'objective/kl_coef': klCoef,
      ...aggregateMinibatchStats(optimisation.stats),
      'ppo/learning_rate': learningRate,
      'ppo/skipped_batches': optimisation.skipped,
      'ppo/non_finite_batches': optimisation.nonFinite,
      'ppo/early_stopped': optimisation.earlyStopped ? 1 : 0,
    } as PPOStats;
    const kl = stats['objective/kl'];
    if (Number.isFinite(kl)) this.klController.update(kl, samples.length);
    timing['time/ppo/calc_stats'] = now() - mark;
    timing['time/ppo/total'] = now() - started;
    Object.assign(stats, timing);

    this.steps++;
    this.skipped += optimisation.skipped;
    if (this.tracker) await this.tracker.log(stats, this.steps);
    return stats;
  }

  /** The epochs of shuffled minibatches (TRL's loop in `step`), with accumulation, skips and early stop. */
  private optimise(
    samples: readonly Sample[],
    rollout: Rollout,
    targets: Targets,
  ): { stats: MinibatchStats[]; skipped: number; nonFinite: number; earlyStopped: boolean } {
    const config = this.config;
    const allStats: MinibatchStats[] = [];
    let skipped = 0;
    let nonFinite = 0;
    const indices = samples.map((_, index) => index);
    const pick = <T>(items: readonly T[], chosen: readonly number[]) =>
      chosen.map((index) => items[index] as T);
    for (let epoch = 0; epoch < config.ppoEpochs; epoch++) {
      const order = this.shuffleRng.shuffle(indices);
      let lastPolicyKl = Number.NaN;
      for (const update of chunks(order, config.miniBatchSize * config.gradientAccumulationSteps)) {
        const minibatches = chunks(update, config.miniBatchSize);
        let accumulated: Map<string, tf.Tensor> | null = null;
        let contributing = 0;
        for (const minibatch of minibatches) {
          const result = trainMinibatch(
            this.model,
            {
              samples: pick(samples, minibatch),
              oldLogprobs: pick(rollout.logprobs, minibatch),
              values: pick(targets.values, minibatch),
              advantages: pick(targets.advantages, minibatch),
              returns: pick(targets.returns, minibatch),
            },
            this.variables,
            config,
            1 / minibatches.length,
            this.padTokenId,
            this.decoderStartTokenId,
          );
          lastPolicyKl = result.stats['policy/policykl'];
          if (result.skipped === 'non-finite-loss') nonFinite++;
          else allStats.push(result.stats);
          if (!result.grads) {
            skipped++;
            continue;
          }
          accumulated = accumulate(accumulated, result.grads);
          contributing++;
        }
        if (accumulated && !this.applyUpdate(accumulated)) {
          skipped += contributing;
          nonFinite += contributing;
        }
      }
      if (config.earlyStopping && lastPolicyKl > 1.5 * config.targetKl) {
        return { stats: allStats, skipped, nonFinite, earlyStopped: true };
      }
    }
    return { stats: allStats, skipped, nonFinite, earlyStopped: false };
  }

  /** Clips and applies summed gradients; returns false (and changes nothing) if any is NaN or infinite. */
  private applyUpdate(grads: Map<string, tf.Tensor>): boolean {
    try {
      const finite =
        this.config.maxGradNorm !== undefined
          ? Number.isFinite(clipGradNorm(grads, this.config.maxGradNorm))
          : allFinite([...grads.values()]);
      if (finite) this.optimizer.step(grads);
      return finite;
    } finally {
      tf.dispose([...grads.values()]);
    }
  }

  /**
   * Saves the whole trainer to `dir`, atomically as a directory: the policy with its value head
   * (`model.savePretrained`, loadable on its own), the trainable weights, the optimizer moments, the
   * KL controller, running moments, step count and RNG streams (and the reference snapshot if the
   * trainer made one). `resume` continues bit-for-bit where this left off.
   */
  async save(dir: string): Promise<void> {
    const moments = this.runningMoments.state();
    const state: TrainerState = {
      format: CHECKPOINT_FORMAT,
      step: this.steps,
      skippedBatches: this.skipped,
      klController: this.klController.state(),
      runningMoments: { ...moments, std: Number.isNaN(moments.std) ? null : moments.std },
      rng: {
        shuffle: this.shuffleRng.getState(),
        generation: this.generationRng.getState(),
        ...(this.lengthSampler ? { lengthSampler: this.lengthSampler.getState() } : {}),
      },
      config: { ...this.config },
    };
    await writeCheckpoint(
      dir,
      {
        state,
        trainable: new Map(
          this.variables.map((parameter) => [parameter.name, parameter.variable as tf.Tensor]),
        ),
        optimizer: this.optimizer.getState(),
        ...(this.snapshot ? { reference: this.snapshot.weights() } : {}),
      },
      (target) => this.model.savePretrained(target),
    );
  }

  /**
   * Restores a checkpoint written by `save` into this trainer: the trainable weights are assigned in
   * place (same architecture required), then the optimizer, KL controller, running moments, RNG
   * streams and counters.
   */
  async resume(dir: string): Promise<void> {
    const contents = await readCheckpoint(dir, this.snapshot !== undefined);
    try {
      this.checkSampler(dir, contents.state.rng.lengthSampler);
      for (const parameter of this.variables) {
        const saved = contents.trainable.get(parameter.name);
        if (!saved || !tf.util.arraysEqual(saved.shape, parameter.variable.shape)) {
          throw new TrlError(
            'invalid-checkpoint',
            `PPOTrainer.resume: ${join(dir, CHECKPOINT_FILES.trainable)} has ${saved ? `shape [${saved.shape}]` : 'no tensor'} for "${parameter.name}", expected [${parameter.variable.shape}]; was it saved from another model?`,
          );
        }
      }
      for (const parameter of this.variables)
        parameter.variable.assign(contents.trainable.get(parameter.name) as tf.Tensor);
      this.optimizer.loadState(contents.optimizer);
      if (this.snapshot && contents.reference) this.snapshot.load(contents.reference);
      const { state } = contents;
      this.klController.load(state.klController);
      this.runningMoments.load({ ...state.runningMoments, std: state.runningMoments.std ?? Number.NaN });
      this.shuffleRng = Rng.fromState(state.rng.shuffle);
      this.generationRng = Rng.fromState(state.rng.generation);
      if (state.rng.lengthSampler) this.lengthSampler?.loadState(state.rng.lengthSampler);
      this.steps = state.step;
      this.skipped = state.skippedBatches;
    } finally {
      tf.dispose([...contents.trainable.values(), ...(contents.reference?.values() ?? [])]);
    }
  }

  /** Throws unless the checkpoint's sampler state and this trainer's `lengthSampler` fit together. */
  private checkSampler(dir: string, saved: TrainerState['rng']['lengthSampler']): void {
    const own = this.lengthSampler;
    if (saved && !own) {
      throw new TrlError(
        'invalid-checkpoint',
        `PPOTrainer.resume: ${dir} was saved by a trainer with a \`lengthSampler\` (lengths [${saved.minValue}, ${saved.maxValue})); pass \`new PPOTrainer({ lengthSampler: new LengthSampler(${saved.minValue}, ${saved.maxValue}) })\` to resume it exactly.`,
      );
    }
    if (!saved && own) {
      throw new TrlError(
        'invalid-checkpoint',
        `PPOTrainer.resume: ${dir} was saved by a trainer without a \`lengthSampler\`, but this one has one; its draws would not continue the saved run. Drop the option or resume a checkpoint saved with it.`,
      );
    }
    if (saved && own && (saved.minValue !== own.minValue || saved.maxValue !== own.maxValue)) {
      throw new TrlError(
        'invalid-checkpoint',
        `PPOTrainer.resume: ${dir} was saved with a \`lengthSampler\` drawing [${saved.minValue}, ${saved.maxValue}) but this trainer's draws [${own.minValue}, ${own.maxValue}); create it with the saved bounds.`,
      );
    }
  }

  /** Frees what the trainer created: its default optimizer's moments and the reference snapshot (never the models). */
  dispose(): void {
    if (this.ownsOptimizer) this.optimizer.dispose();
    this.snapshot?.dispose();
  }
}

/** Adds `grads` into `total` (taking ownership of both), returning the sum. */
function accumulate(
  total: Map<string, tf.Tensor> | null,
  grads: Map<string, tf.Tensor>,
): Map<string, tf.Tensor> {
  if (!total) return grads;
  for (const [name, grad] of grads) {
    const previous = total.get(name);
    if (previous) {
      total.set(name, tf.add(previous, grad));
      previous.dispose();
      grad.dispose();
    } else {
      total.set(name, grad);
    }
  }
  return total;
}

/** True when every gradient is finite (one data read for all of them). */
function allFinite(grads: readonly tf.Tensor[]): boolean {
  if (grads.length === 0) return true;
  const flag = tf.tidy(() => tf.all(tf.stack(grads.map((grad) => tf.all(tf.isFinite(grad))))));
  const finite = flag.dataSync()[0] === 1;
  flag.dispose();
  return finite;
}

/** The decoder start token of an encoder-decoder policy (its info names one); undefined for a decoder-only one. */
function decoderStartTokenOf(model: PPOPolicy): number | undefined {
  const start = (model.info as { decoderStartTokenId?: unknown }).decoderStartTokenId;
  return typeof start === 'number' ? start : undefined;
}

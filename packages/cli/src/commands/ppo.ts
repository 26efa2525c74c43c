import { join } from 'node:path';
import {
  checkpointDirName,
  epochOrder,
  initBackend,
  JsonlTracker,
  listCheckpoints,
  ProgressBar,
  resolveCheckpoint,
  resolvePadTokenId,
  type SequenceClassifier,
  type Tokenizer,
  TrlError,
  tf,
} from '@trl/core';
import {
  AutoModelForCausalLMWithValueHead,
  AutoModelForSequenceClassification,
  AutoTokenizer,
} from '@trl/models';
import { LengthSampler, PPOTrainer, ppoConfigSchema } from '@trl/ppo';
import { z } from 'zod';
import type { CliIo } from '../io';
import { resolveConfig } from '../options/resolve';
import { loadRunData } from './load-data';
import { runSetupSchema, withoutKeys } from './run-setup';
import { formatConfig, saveResolvedConfig } from './save-config';

/** The options `trl ppo` adds to the run setup; like the run setup, they are not passed to PPOTrainer. */
const ppoRunSchema = z.object({
  /** Directory of a one-label sequence classifier that scores prompt + response. */
  rewardModelPath: z.string().min(1),
  /** Column of the dataset holding the prompt. */
  datasetTextField: z.string().min(1).default('prompt'),
  /** PPO steps to run; default one pass over the prompts (ceil(rows / batchSize)). */
  maxSteps: z.number().int().positive().optional(),
  /** Shortest response length drawn per generation batch (TRL example `output_min_length`). */
  outputMinLength: z.number().int().positive().default(4),
  /** Longest response length, exclusive (TRL example `output_max_length`). */
  outputMaxLength: z.number().int().positive().default(16),
  /** Sampling temperature. */
  temperature: z.number().positive().default(1),
  /** Where checkpoints, logs and the final model go. */
  outputDir: z.string().min(1).default('trainer_output'),
  /** Save the trainer state every N PPO steps. */
  saveSteps: z.number().int().positive().default(500),
  /** Resume from a checkpoint directory, or true for the newest in outputDir. */
  resumeFromCheckpoint: z.union([z.string().min(1), z.boolean()]).optional(),
  /** Hide the progress bar. */
  disableTqdm: z.boolean().default(false),
});

/** `trl ppo`'s options: TRL's PPOConfig plus the run setup, the reward model and generation lengths. */
export const ppoCommandSchema = ppoConfigSchema
  .extend(runSetupSchema.omit({ evalDatasetPath: true, evalSplit: true }).shape)
  .extend(ppoRunSchema.shape)
  .refine((config) => config.outputMaxLength > config.outputMinLength, {
    path: ['outputMaxLength'],
    message: 'must be greater than outputMinLength',
  });

/** Every option of {@link ppoCommandSchema} that is not PPOConfig's. */
const PPO_RUN_KEYS = [...Object.keys(runSetupSchema.shape), ...Object.keys(ppoRunSchema.shape)] as (
  | keyof typeof runSetupSchema.shape
  | keyof typeof ppoRunSchema.shape
)[];

/** Scores token-id rows with a one-label classifier, right-padded with a mask. */
function scoreRows(model: SequenceClassifier, rows: readonly number[][], padTokenId: number): number[] {
  const length = Math.max(...rows.map((row) => row.length));
  const ids = rows.map((row) => [...row, ...Array<number>(length - row.length).fill(padTokenId)]);
  const mask = rows.map((row) => [...row.map(() => 1), ...Array<number>(length - row.length).fill(0)]);
  return tf.tidy(() => {
    const { logits } = model.forward({
      inputIds: tf.tensor2d(ids, [rows.length, length], 'int32'),
      attentionMask: tf.tensor2d(mask, [rows.length, length], 'int32'),
    });
    return [...logits.dataSync()];
  });
}

function promptIds(
  rows: readonly Record<string, unknown>[],
  field: string,
  tokenizer: Tokenizer,
): number[][] {
  return rows.map((row, index) => {
    const text = row[field];
    if (typeof text !== 'string' || text.length === 0) {
      throw new TrlError(
        'invalid-dataset',
        `trl ppo: row ${index} has no non-empty string "${field}"; set --dataset-text-field to the prompt column.`,
      );
    }
    return tokenizer.encode(text);
  });
}

/** Runs `trl ppo`: generate, score with the reward model, PPO step; checkpoints resume exactly. */
export async function runPpo(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const config = await resolveConfig('ppo', ppoCommandSchema, flags);
  io.stdout.write(formatConfig(config));
  if (config.dryRun) return 0;
  await initBackend(config.backend);
  const { train } = await loadRunData(
    { ...config, evalDatasetPath: undefined, evalSplit: undefined },
    config.seed,
    io,
  );
  const tokenizer = await AutoTokenizer.fromPretrained(config.modelNameOrPath);
  const prompts = promptIds(train.toArray(), config.datasetTextField, tokenizer);
  if (prompts.length < config.batchSize) {
    throw new TrlError(
      'invalid-value',
      `trl ppo: the dataset has ${prompts.length} prompts but batchSize is ${config.batchSize}; lower --batch-size.`,
    );
  }
  const rewardModel = await AutoModelForSequenceClassification.fromPretrained(config.rewardModelPath, {
    numLabels: 1,
  });
  const model = await AutoModelForCausalLMWithValueHead.fromPretrained(config.modelNameOrPath, {
    seed: config.seed,
  });
  // PPOTrainer gets the PPOConfig part only; the run's own options stay with the command.
  const ppoConfig = withoutKeys(config, PPO_RUN_KEYS);
  const { usePeft, resumeFromCheckpoint, outputDir, maxSteps, outputMinLength, outputMaxLength } = config;
  const { temperature, saveSteps, disableTqdm } = config;
  let tracker: JsonlTracker | undefined;
  let trainer: PPOTrainer | undefined;
  try {
    if (usePeft)
      throw new TrlError(
        'unsupported-option',
        'trl ppo: --use-peft is not supported for PPO yet; train all weights.',
      );
    const checkpoint =
      resumeFromCheckpoint !== undefined && resumeFromCheckpoint !== false
        ? await resolveCheckpoint(resumeFromCheckpoint, outputDir)
        : undefined;
    await saveResolvedConfig(outputDir, config);
    tracker = new JsonlTracker(join(outputDir, 'logs.jsonl'));
    trainer = new PPOTrainer({ config: ppoConfig, model, tokenizer, tracker });
    if (checkpoint) await trainer.resume(checkpoint);
    const batchesPerEpoch = Math.floor(prompts.length / config.batchSize);
    const totalSteps = maxSteps ?? batchesPerEpoch;
    const padTokenId = resolvePadTokenId(tokenizer);
    const progress = disableTqdm
      ? undefined
      : new ProgressBar({ total: totalSteps, label: 'ppo', stream: io.stderr });
    let lastScore = Number.NaN;
    for (let step = trainer.stepCount; step < totalSteps; step++) {
      const order = epochOrder(prompts.length, config.seed, Math.floor(step / batchesPerEpoch));
      const start = (step % batchesPerEpoch) * config.batchSize;
      const queries = order.slice(start, start + config.batchSize).map((index) => prompts[index] as number[]);
      // A sampler seeded per step, so a resumed run draws the same response lengths.
      const lengths = new LengthSampler(outputMinLength, outputMaxLength, config.seed + step);
      const responses = await trainer.generate(queries, {
        lengthSampler: lengths.sample,
        returnPrompt: false,
        temperature,
        topK: 0,
        topP: 1,
      });
      const scores = scoreRows(
        rewardModel,
        queries.map((query, index) => [...query, ...(responses[index] as number[])]),
        padTokenId,
      );
      const stats = await trainer.step(queries, responses, scores);
      lastScore = stats['ppo/mean_scores'];
      progress?.update(step + 1, { score: lastScore, kl: stats['objective/kl'] });
      if ((step + 1) % saveSteps === 0) await trainer.save(join(outputDir, checkpointDirName(step + 1)));
    }
    progress?.stop();
    await trainer.model.savePretrained(outputDir);
    const checkpoints = (await listCheckpoints(outputDir)).length;
    io.stdout.write(
      `${JSON.stringify({ globalStep: trainer.stepCount, meanScore: lastScore, checkpoints, outputDir })}\n`,
    );
    return 0;
  } finally {
    await tracker?.close();
    trainer?.dispose();
    model.dispose();
    rewardModel.dispose();
  }
}

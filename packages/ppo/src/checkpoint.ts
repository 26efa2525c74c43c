import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AdamWState,
  CHECKPOINT_FILES,
  type CheckpointTensor,
  float32Entries,
  klControllerStateSchema,
  loadAdamWState,
  readCheckpointTensors,
  recoverStagedDirectory,
  runningMomentsStateSchema,
  saveAdamWState,
  TrlError,
  tf,
  trainableFilePath,
  writeFileAtomic,
  writeSafetensors,
  writeStagedDirectory,
} from '@trl/core';
import { z } from 'zod';

const OWNER = 'PPOTrainer.resume';

/** Marks a trainer checkpoint directory. */
export const CHECKPOINT_FORMAT = 'trl-ts-ppo-trainer-v1';

const rngStateSchema = z.object({
  algorithm: z.literal('xoshiro128**'),
  words: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  spareNormal: z.number().nullable(),
});

/** The JSON part of a trainer checkpoint. */
export const trainerStateSchema = z.object({
  /** Always {@link CHECKPOINT_FORMAT}. */
  format: z.literal(CHECKPOINT_FORMAT),
  /** PPO steps taken. */
  step: z.number().int().nonnegative(),
  /** Minibatches skipped over the whole run. */
  skippedBatches: z.number().int().nonnegative(),
  /** The KL controller's coefficient. */
  klController: klControllerStateSchema,
  /** Running score moments; `std` is null when NaN (JSON has no NaN). */
  runningMoments: runningMomentsStateSchema.extend({ std: z.number().nonnegative().nullable() }),
  /** The trainer's random streams, and its `lengthSampler`'s when it has one. */
  rng: z.object({
    shuffle: rngStateSchema,
    generation: rngStateSchema,
    lengthSampler: z
      .object({ minValue: z.number().int(), maxValue: z.number().int(), rng: rngStateSchema })
      .optional(),
  }),
  /** The config the run was saved with (informative). */
  config: z.record(z.string(), z.unknown()),
});

/** The JSON part of a trainer checkpoint. */
export type TrainerState = z.infer<typeof trainerStateSchema>;

/** Everything a checkpoint holds besides the model's own files. */
export interface CheckpointContents {
  /** The JSON state. */
  state: TrainerState;
  /** Trainable weights by checkpoint name. */
  trainable: Map<string, tf.Tensor>;
  /** Optimizer moments. */
  optimizer: AdamWState;
  /** Reference snapshot weights, when the trainer owns one. */
  reference?: Map<string, tf.Tensor>;
}

/**
 * Writes a checkpoint as a whole with core's staged-directory writer: everything goes to a hidden
 * sibling that replaces `dir` by renames, so a crash at any instant leaves the previous checkpoint or
 * the new one complete (possibly under a hidden name that {@link readCheckpoint} puts back), never a mix.
 */
export async function writeCheckpoint(
  dir: string,
  contents: CheckpointContents,
  saveModel: (dir: string) => Promise<void>,
): Promise<void> {
  await writeStagedDirectory(dir, async (staging, step) => {
    await saveModel(staging);
    step('model');
    await writeSafetensors(join(staging, CHECKPOINT_FILES.trainable), float32Entries(contents.trainable), {
      format: CHECKPOINT_FORMAT,
    });
    step('trainable');
    await saveAdamWState(join(staging, CHECKPOINT_FILES.optimizer), contents.optimizer);
    step('optimizer');
    if (contents.reference) {
      await writeSafetensors(join(staging, CHECKPOINT_FILES.reference), float32Entries(contents.reference), {
        format: CHECKPOINT_FORMAT,
      });
      step('reference');
    }
    await writeFileAtomic(
      join(staging, CHECKPOINT_FILES.state),
      `${JSON.stringify(contents.state, null, 2)}\n`,
    );
    step('state');
  });
}

function toTensors(entries: ReadonlyMap<string, CheckpointTensor>) {
  return new Map([...entries].map(([name, e]) => [name, tf.tensor(e.values, e.shape, 'float32')]));
}

/** Reads what {@link writeCheckpoint} wrote; the caller disposes the returned tensors. */
export async function readCheckpoint(dir: string, withReference: boolean): Promise<CheckpointContents> {
  await recoverStagedDirectory(dir);
  const statePath = join(dir, CHECKPOINT_FILES.state);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(statePath, 'utf8'));
  } catch (error) {
    throw new TrlError(
      'invalid-checkpoint',
      `PPOTrainer.resume: cannot read ${statePath} (${(error as Error).message}); is ${dir} a directory written by PPOTrainer.save?`,
    );
  }
  const parsed = trainerStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TrlError(
      'invalid-checkpoint',
      `PPOTrainer.resume: ${statePath} is invalid:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const referencePath = join(dir, CHECKPOINT_FILES.reference);
  if (
    withReference &&
    !(await stat(referencePath).then(
      () => true,
      () => false,
    ))
  ) {
    throw new TrlError(
      'invalid-checkpoint',
      `PPOTrainer.resume: ${dir} has no ${CHECKPOINT_FILES.reference}, but this trainer snapshots its own reference model; it was saved by a trainer with a \`refModel\`. Pass the same kind of \`refModel\`.`,
    );
  }
  // Everything is read and checked on the host first, so a bad file leaks no tensors.
  // Checkpoints from before the layouts were unified name this file trainable_variables.safetensors.
  const trainable = await readCheckpointTensors(await trainableFilePath(dir), OWNER);
  const optimizer = await loadAdamWState(join(dir, CHECKPOINT_FILES.optimizer));
  const reference = withReference ? await readCheckpointTensors(referencePath, OWNER) : undefined;
  return {
    state: parsed.data,
    trainable: toTensors(trainable),
    optimizer,
    ...(reference ? { reference: toTensors(reference) } : {}),
  };
}

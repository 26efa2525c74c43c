import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AdamWState,
  assertFiniteTensor,
  klControllerStateSchema,
  loadAdamWState,
  readSafetensors,
  recoverStagedDirectory,
  runningMomentsStateSchema,
  type SafetensorEntry,
  saveAdamWState,
  tf,
  writeFileAtomic,
  writeSafetensors,
  writeStagedDirectory,
} from '@trl/core';
import { z } from 'zod';

/** Marks a trainer checkpoint directory. */
export const CHECKPOINT_FORMAT = 'trl-ts-ppo-trainer-v1';

/** File names inside a checkpoint directory (the model's own files sit beside them). */
export const CHECKPOINT_FILES = {
  /** Step, KL controller, running moments, RNG streams, counters (JSON). */
  state: 'trainer_state.json',
  /** Every trainable variable by checkpoint name, for an exact in-place resume. */
  trainable: 'trainable_variables.safetensors',
  /** AdamW moments. */
  optimizer: 'optimizer.safetensors',
  /** The frozen reference weights, when the trainer snapshotted its own reference. */
  reference: 'reference_snapshot.safetensors',
} as const;

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

function toEntries(tensors: ReadonlyMap<string, tf.Tensor>): Record<string, SafetensorEntry> {
  const entries: Record<string, SafetensorEntry> = {};
  for (const [name, tensor] of tensors) {
    entries[name] = { dtype: 'F32', shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) };
  }
  return entries;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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
    await writeSafetensors(join(staging, CHECKPOINT_FILES.trainable), toEntries(contents.trainable), {
      format: CHECKPOINT_FORMAT,
    });
    step('trainable');
    await saveAdamWState(join(staging, CHECKPOINT_FILES.optimizer), contents.optimizer);
    step('optimizer');
    if (contents.reference) {
      await writeSafetensors(join(staging, CHECKPOINT_FILES.reference), toEntries(contents.reference), {
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

/** The F32 tensors of a file, validated (dtype, finiteness) before any backend tensor exists. */
async function readEntries(path: string): Promise<Map<string, { values: Float32Array; shape: number[] }>> {
  const file = await readSafetensors(path);
  const entries = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const [name, entry] of file.tensors) {
    if (entry.dtype !== 'F32')
      throw new Error(
        `PPOTrainer.resume: ${path}: "${name}" is ${entry.dtype}, expected F32; the file was not written by PPOTrainer.save or is corrupt.`,
      );
    assertFiniteTensor(
      entry.values,
      `PPOTrainer.resume: ${path}: "${name}"`,
      'the checkpoint is corrupt; resume from an earlier one.',
    );
    entries.set(name, { values: entry.values, shape: entry.shape });
  }
  return entries;
}

function toTensors(entries: ReadonlyMap<string, { values: Float32Array; shape: number[] }>) {
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
    throw new Error(
      `PPOTrainer.resume: cannot read ${statePath} (${(error as Error).message}); is ${dir} a directory written by PPOTrainer.save?`,
    );
  }
  const parsed = trainerStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`PPOTrainer.resume: ${statePath} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  const referencePath = join(dir, CHECKPOINT_FILES.reference);
  if (withReference && !(await exists(referencePath))) {
    throw new Error(
      `PPOTrainer.resume: ${dir} has no ${CHECKPOINT_FILES.reference}, but this trainer snapshots its own reference model; it was saved by a trainer with a \`refModel\`. Pass the same kind of \`refModel\`.`,
    );
  }
  // Everything is read and checked on the host first, so a bad file leaks no tensors.
  const trainable = await readEntries(join(dir, CHECKPOINT_FILES.trainable));
  const optimizer = await loadAdamWState(join(dir, CHECKPOINT_FILES.optimizer));
  const reference = withReference ? await readEntries(referencePath) : undefined;
  return {
    state: parsed.data,
    trainable: toTensors(trainable),
    optimizer,
    ...(reference ? { reference: toTensors(reference) } : {}),
  };
}

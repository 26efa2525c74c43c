import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { TrlError } from '@trl/spec';
import { assertFiniteTensor } from '../io/safetensors/finite';
import { readSafetensors } from '../io/safetensors/parse';
import type { SafetensorEntry } from '../io/safetensors/types';
import { recoverStagedDirectories, recoverStagedDirectory } from '../io/staged-directory';

/**
 * The one checkpoint layout every trainer writes (SFT and reward through the training loop, PPO
 * through its own trainer): a `checkpoint-<step>` directory holding the model's `savePretrained`
 * files plus these. Trainers add only what is theirs to the JSON state.
 */
export const CHECKPOINT_FILES = {
  /** The trained variables by name, F32 (what resume restores; frozen weights never change). */
  trainable: 'trainable.safetensors',
  /** AdamW moments and per-parameter steps. */
  optimizer: 'optimizer.safetensors',
  /** The trainer's position, RNG streams and counters as JSON. */
  state: 'trainer_state.json',
  /** PPO only: the frozen reference weights, when the trainer snapshotted its own reference. */
  reference: 'reference_snapshot.safetensors',
} as const;

/**
 * Names {@link CHECKPOINT_FILES.trainable} had before the layouts were unified: PPOTrainer wrote
 * `trainable_variables.safetensors`. Still read, never written, so old checkpoints resume.
 */
export const LEGACY_TRAINABLE_FILES: readonly string[] = ['trainable_variables.safetensors'];

const PREFIX = 'checkpoint-';
const CHECKPOINT_DIR = new RegExp(`^${PREFIX}\\d+$`);

/** Name of the checkpoint directory of `step` (`checkpoint-<step>`, as transformers names it). */
export function checkpointDirName(step: number): string {
  if (!Number.isInteger(step) || step < 0) {
    throw new TrlError(
      'invalid-checkpoint-step',
      `checkpointDirName: step must be a whole number ≥ 0, got ${step}.`,
    );
  }
  return `${PREFIX}${step}`;
}

/**
 * @deprecated Use {@link checkpointDirName}; kept because the loop exported it under this name.
 */
export const checkpointName = checkpointDirName;

/** Checkpoint directories in `outputDir`, oldest step first. */
export async function listCheckpoints(outputDir: string): Promise<{ step: number; path: string }[]> {
  let entries: string[];
  try {
    entries = await readdir(outputDir);
  } catch {
    return [];
  }
  return entries
    .filter((name) => CHECKPOINT_DIR.test(name))
    .map((name) => ({ step: Number(name.slice(PREFIX.length)), path: join(outputDir, name) }))
    .sort((a, b) => a.step - b.step);
}

/** Resolves `resumeFromCheckpoint`: a directory, or `true` for the newest checkpoint in `outputDir`. */
export async function resolveCheckpoint(resume: string | true, outputDir: string): Promise<string> {
  if (resume === true) {
    // A crash mid-save may have left the newest checkpoint under a hidden name: put it back first.
    await recoverStagedDirectories(outputDir);
    const newest = (await listCheckpoints(outputDir)).at(-1);
    if (!newest) {
      throw new TrlError(
        'checkpoint-not-found',
        `resumeFromCheckpoint: no checkpoint-<step> directory in ${outputDir}; train without resuming or pass a checkpoint path.`,
      );
    }
    return newest.path;
  }
  await recoverStagedDirectory(resume);
  const info = await stat(resume).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new TrlError('checkpoint-not-found', `resumeFromCheckpoint: ${resume} is not a directory.`);
  }
  return resume;
}

/**
 * Path of the trainable-variables file in checkpoint `dir`: the current name, or a legacy name when
 * only that exists (a checkpoint from an older release). When neither exists the current name is
 * returned, so the read that follows reports the file a new checkpoint would have.
 */
export async function trainableFilePath(dir: string): Promise<string> {
  const current = join(dir, CHECKPOINT_FILES.trainable);
  if (await isFile(current)) return current;
  for (const legacy of LEGACY_TRAINABLE_FILES) {
    const path = join(dir, legacy);
    if (await isFile(path)) return path;
  }
  return current;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** Tensors as F32 safetensors entries, copied off the backend (what checkpoints store). */
export function float32Entries(
  tensors: Iterable<readonly [string, tf.Tensor | tf.Variable]>,
): Record<string, SafetensorEntry> {
  const entries: Record<string, SafetensorEntry> = {};
  for (const [name, tensor] of tensors) {
    entries[name] = {
      dtype: 'F32',
      shape: [...tensor.shape],
      values: Float32Array.from(tensor.dataSync() as Float32Array),
    };
  }
  return entries;
}

/** An F32 tensor read back from a checkpoint, still on the host. */
export interface CheckpointTensor {
  /** The values, row-major. */
  values: Float32Array;
  /** The shape. */
  shape: number[];
}

/**
 * Reads a checkpoint's safetensors file and checks every tensor on the host (F32, all finite), so a
 * corrupt file is rejected before any backend tensor exists. `owner` prefixes the error messages.
 */
export async function readCheckpointTensors(
  path: string,
  owner: string,
): Promise<Map<string, CheckpointTensor>> {
  const file = await readSafetensors(path);
  const entries = new Map<string, CheckpointTensor>();
  for (const [name, entry] of file.tensors) {
    if (entry.dtype !== 'F32') {
      throw new TrlError(
        'corrupt-checkpoint',
        `${owner}: ${path}: "${name}" is ${entry.dtype}, expected F32; the file was not written by the trainer or is corrupt.`,
      );
    }
    assertFiniteTensor(
      entry.values as Float32Array,
      `${owner}: ${path}: "${name}"`,
      'the checkpoint is corrupt; resume from an earlier one.',
    );
    entries.set(name, { values: entry.values as Float32Array, shape: entry.shape });
  }
  return entries;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Metrics, NamedVariable } from '@trl/spec';
import { TrlError } from '@trl/spec';
import { CHECKPOINT_FILES, checkpointDirName, float32Entries, listCheckpoints } from '../checkpoint/index';
import { writeFileAtomic } from '../io/atomic';
import { assertFiniteTensor } from '../io/safetensors/finite';
import { readSafetensors } from '../io/safetensors/parse';
import { writeSafetensors } from '../io/safetensors/serialize';
import type { SafetensorEntry } from '../io/safetensors/types';
import { recoverStagedDirectory, removeDirectorySafely, writeStagedDirectory } from '../io/staged-directory';
import { type AdamW, loadAdamWState, saveAdamWState } from '../train/index';
import type { RngState } from '../train/rng';

// The layout and directory helpers live in ../checkpoint, shared with PPOTrainer; re-exported here
// because the loop exported them first.
export { CHECKPOINT_FILES, checkpointName, listCheckpoints, resolveCheckpoint } from '../checkpoint/index';

const STATE_FORMAT = 'trl-ts-trainer-state-v1';

/** Where the loop stands; with the weights and optimizer, enough to continue bit for bit. */
export interface LoopState {
  /** Marks the file as a trl-ts trainer state. */
  format: typeof STATE_FORMAT;
  /** Optimizer steps taken. */
  globalStep: number;
  /** Fractional epochs done (`globalStep / updatesPerEpoch`). */
  epoch: number;
  /** Steps the run was planned for (checked on resume: the LR schedule depends on it). */
  totalSteps: number;
  /** Optimizer steps per pass over the data (checked on resume: the data order depends on it). */
  updatesPerEpoch: number;
  /** Training examples (checked on resume). */
  trainExamples: number;
  /** Seed of the per-epoch data order; the position inside it is `globalStep % updatesPerEpoch`. */
  dataSeed: number;
  /** State of the loop's generator (NEFTune noise and any other draw). */
  rng: RngState;
  /** Every logged record so far, as transformers' `log_history`. */
  logHistory: (Metrics & { step: number })[];
}

/** What {@link saveCheckpoint} writes. */
export interface CheckpointContents {
  /** The optimised variables. */
  parameters: readonly NamedVariable[];
  /** The optimizer whose moments are saved. */
  optimizer: AdamW;
  /** Loop position and RNG. */
  state: LoopState;
  /** Writes the model files (savePretrained) into a directory. */
  saveModel: (dir: string) => Promise<void>;
}

/**
 * Writes `checkpoint-<step>` with the staged-directory writer, so a crash at any instant leaves a
 * complete checkpoint (the old or the new one) and never a half one to resume from. Then deletes the
 * oldest checkpoints beyond `keepLast`, each renamed aside first so no partial one stays visible.
 */
export async function saveCheckpoint(
  outputDir: string,
  contents: CheckpointContents,
  keepLast: number | undefined,
): Promise<string> {
  const final = join(outputDir, checkpointDirName(contents.state.globalStep));
  await writeStagedDirectory(final, async (staging, step) => {
    await contents.saveModel(staging);
    step('model');
    const tensors = float32Entries(contents.parameters.map((p) => [p.name, p.variable] as const));
    await writeSafetensors(join(staging, CHECKPOINT_FILES.trainable), tensors, {
      format: 'trl-ts-trainable-v1',
    });
    step('parameters');
    await saveAdamWState(join(staging, CHECKPOINT_FILES.optimizer), contents.optimizer.getState());
    step('optimizer');
    await writeFileAtomic(
      join(staging, CHECKPOINT_FILES.state),
      `${JSON.stringify(contents.state, null, 2)}\n`,
    );
    step('state');
  });
  if (keepLast !== undefined) {
    const all = await listCheckpoints(outputDir);
    for (const old of all.slice(0, Math.max(0, all.length - keepLast))) {
      if (old.path !== final) await removeDirectorySafely(old.path);
    }
  }
  return final;
}

/**
 * Restores the variables and the optimizer from `dir` and returns the loop state. Names and shapes
 * must match the current parameters exactly, and `validate` (which may throw) must accept the state,
 * or nothing is changed.
 */
export async function loadCheckpoint(
  dir: string,
  parameters: readonly NamedVariable[],
  optimizer: AdamW,
  validate?: (state: LoopState) => void,
): Promise<LoopState> {
  const fail = (detail: string): never => {
    throw new TrlError('corrupt-checkpoint', `resumeFromCheckpoint ${dir}: ${detail}`);
  };
  await recoverStagedDirectory(dir);
  let state: LoopState | undefined;
  try {
    state = JSON.parse(await readFile(join(dir, CHECKPOINT_FILES.state), 'utf8')) as LoopState;
  } catch (error) {
    fail(`cannot read ${CHECKPOINT_FILES.state} (${(error as Error).message}).`);
  }
  if (state?.format !== STATE_FORMAT) fail(`${CHECKPOINT_FILES.state} is not a trl-ts trainer state.`);
  validate?.(state as LoopState);
  const saved = await readSafetensors(join(dir, CHECKPOINT_FILES.trainable));
  for (const parameter of parameters) {
    const entry = saved.tensors.get(parameter.name);
    if (!entry) fail(`parameter "${parameter.name}" is missing from ${CHECKPOINT_FILES.trainable}.`);
    if (entry?.dtype !== 'F32') {
      fail(
        `parameter "${parameter.name}" is stored as ${entry?.dtype} in ${CHECKPOINT_FILES.trainable}, expected F32; the file was not written by the trainer or is corrupt.`,
      );
    }
    assertFiniteTensor(
      entry?.values as Float32Array,
      `resumeFromCheckpoint ${dir}: parameter "${parameter.name}" in ${CHECKPOINT_FILES.trainable}`,
      'the checkpoint is corrupt; resume from an earlier one.',
    );
    if (!tf.util.arraysEqual(entry?.shape ?? [], parameter.variable.shape)) {
      fail(
        `parameter "${parameter.name}" has shape [${entry?.shape}] in the checkpoint but [${parameter.variable.shape}] in the model.`,
      );
    }
  }
  if (saved.tensors.size !== parameters.length) {
    fail(
      `the checkpoint holds ${saved.tensors.size} parameters but the model trains ${parameters.length}; was LoRA or the model changed?`,
    );
  }
  const optimizerState = await loadAdamWState(join(dir, CHECKPOINT_FILES.optimizer));
  // loadState validates everything before changing anything, and the weights were checked above.
  optimizer.loadState(optimizerState);
  for (const parameter of parameters) {
    const entry = saved.tensors.get(parameter.name) as SafetensorEntry;
    tf.tidy(() =>
      parameter.variable.assign(tf.tensor(entry.values as Float32Array, parameter.variable.shape)),
    );
  }
  return state as LoopState;
}

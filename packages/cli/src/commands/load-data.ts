import { type Dataset, type JsonRow, loadDataset, TrlError } from '@trl/core';
import type { CliIo } from '../io';
import type { RunSetup } from './run-setup';

/** The training and evaluation rows of a run. */
export interface RunData {
  /** Training rows. */
  train: Dataset<JsonRow>;
  /** Evaluation rows, from a file or split off the training file. */
  eval?: Dataset<JsonRow>;
}

/** Loads the files of `setup`, reporting skipped lines on stderr, and splits off eval rows if asked. */
export async function loadRunData(setup: RunSetup, seed: number, io: CliIo): Promise<RunData> {
  const options = {
    onBadRecord: setup.onBadRecord,
    onSkip: (skipped: { line: number; reason: string }) =>
      io.stderr.write(`warning: skipped line ${skipped.line}: ${skipped.reason}\n`),
  };
  const train = await loadDataset(setup.datasetPath, options);
  if (train.length === 0)
    throw new TrlError('invalid-dataset', `--dataset-path ${setup.datasetPath}: the file holds no rows.`);
  if (setup.evalDatasetPath) return { train, eval: await loadDataset(setup.evalDatasetPath, options) };
  if (setup.evalSplit !== undefined) {
    const split = train.trainTestSplit({ testSize: setup.evalSplit, seed });
    return { train: split.train, eval: split.test };
  }
  return { train };
}

/** LoRA settings for `addLora` from the run setup. */
export function loraSettings(setup: RunSetup): {
  r: number;
  loraAlpha: number;
  loraDropout: number;
  targetModules?: string[];
} {
  return {
    r: setup.loraR,
    loraAlpha: setup.loraAlpha,
    loraDropout: setup.loraDropout,
    ...(setup.loraTargetModules ? { targetModules: setup.loraTargetModules } : {}),
  };
}

import { initBackend, type Metrics, type Tokenizer, type TrainingLoopResult } from '@trl/core';
import { AutoTokenizer, type LoraConfigInput } from '@trl/models';
import type { z } from 'zod';
import type { CliIo } from '../io';
import { resolveConfig } from '../options/resolve';
import { loadRunData, loraSettings, type RunData } from './load-data';
import { type RunSetup, trainerArgs } from './run-setup';
import { formatConfig, saveResolvedConfig } from './save-config';

/** What a supervised trainer built by a command must offer. */
interface SupervisedTrainer {
  train(): Promise<TrainingLoopResult>;
  evaluate(): Metrics;
}

/** What `createTrainer` of a {@link SupervisedCommand} gets. */
export interface SupervisedRun<Config extends RunSetup, Model> {
  /** The resolved command config. */
  config: Config;
  /** The trainer's own arguments, with `evalStrategy` 'no' when the run has no eval rows. */
  args: Omit<Config, keyof RunSetup>;
  /** The loaded rows. */
  data: RunData;
  /** The tokenizer of `modelNameOrPath`. */
  tokenizer: Tokenizer;
  /** The loaded model. */
  model: Model;
  /** The CLI's streams. */
  io: CliIo;
}

/** What differs between `trl sft` and `trl reward`: the model class and the trainer. */
export interface SupervisedCommand<Schema extends z.ZodObject, Model extends { dispose(): void }> {
  /** The subcommand name, for errors. */
  name: string;
  /** The command's options (the run setup plus the trainer's config). */
  schema: Schema;
  /** Loads the model to train from the resolved config. */
  loadModel(config: z.output<Schema>): Promise<Model>;
  /** Builds the trainer; it validates the data, so nothing is written before it returns. */
  createTrainer(run: SupervisedRun<z.output<Schema> & RunSetup, Model>): SupervisedTrainer;
}

/**
 * Runs a supervised training command: resolve and print the config (stop on `--dry-run`), load the
 * data, tokenizer and model, build the trainer, save the resolved config, train, evaluate when there
 * are eval rows, and print the summary line. Returns the process exit code.
 */
export async function runSupervisedCommand<Schema extends z.ZodObject, Model extends { dispose(): void }>(
  command: SupervisedCommand<Schema, Model>,
  flags: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const config = (await resolveConfig(command.name, command.schema, flags)) as z.output<Schema> & RunSetup;
  io.stdout.write(formatConfig(config));
  if (config.dryRun) return 0;
  await initBackend(config.backend);
  const data = await loadRunData(config, config.seed as number, io);
  const trainerSettings = trainerArgs(config) as Omit<typeof config, keyof RunSetup> & {
    evalStrategy: unknown;
  };
  const args = { ...trainerSettings, evalStrategy: data.eval ? trainerSettings.evalStrategy : 'no' };
  const tokenizer = await AutoTokenizer.fromPretrained(config.modelNameOrPath);
  const model = await command.loadModel(config);
  try {
    const trainer = command.createTrainer({ config, args, data, tokenizer, model, io });
    await saveResolvedConfig(config.outputDir as string, config);
    const result = await trainer.train();
    const evaluation = data.eval ? trainer.evaluate() : {};
    io.stdout.write(
      `${JSON.stringify({ globalStep: result.globalStep, trainLoss: result.trainingLoss, ...evaluation, outputDir: config.outputDir })}\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}

/** The trainer's `peft` option for `--use-peft`: LoRA settings from the run setup and `apply`; none otherwise. */
export function peftOption<Model>(
  config: RunSetup,
  apply: (model: Model, lora: LoraConfigInput) => Model,
): { peft?: { config: LoraConfigInput; apply: (model: Model, lora: LoraConfigInput) => Model } } {
  return config.usePeft ? { peft: { config: loraSettings(config) as LoraConfigInput, apply } } : {};
}

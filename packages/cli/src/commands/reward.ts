import { initBackend, type PreferenceRow } from '@trl/core';
import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  addLora,
  type Gpt2ForSequenceClassification,
  type LoraConfigInput,
} from '@trl/models';
import { RewardTrainer, rewardConfigSchema } from '@trl/reward';
import type { CliIo } from '../io';
import { resolveConfig } from '../options/resolve';
import { loadRunData, loraSettings } from './load-data';
import { runSetupSchema, trainerArgs } from './run-setup';
import { formatConfig, saveResolvedConfig } from './save-config';

/** `trl reward`'s options: the run setup plus RewardConfig. */
export const rewardCommandSchema = rewardConfigSchema.extend(runSetupSchema.shape);

/** Runs `trl reward` with parsed flags; returns the process exit code. */
export async function runReward(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const config = await resolveConfig('reward', rewardCommandSchema, flags);
  io.stdout.write(formatConfig(config));
  if (config.dryRun) return 0;
  await initBackend(config.backend);
  const data = await loadRunData(config, config.seed, io);
  const args = trainerArgs(config);
  const tokenizer = await AutoTokenizer.fromPretrained(config.modelNameOrPath);
  const model = await AutoModelForSequenceClassification.fromPretrained(config.modelNameOrPath, {
    numLabels: 1,
    seed: config.seed,
  });
  try {
    const trainer = new RewardTrainer({
      model,
      tokenizer,
      args: { ...args, evalStrategy: data.eval ? args.evalStrategy : 'no' },
      trainDataset: data.train.toArray() as unknown as PreferenceRow[],
      evalDataset: data.eval?.toArray() as unknown as PreferenceRow[] | undefined,
      progressStream: io.stderr,
      ...(config.usePeft
        ? {
            peft: {
              config: loraSettings(config) as LoraConfigInput,
              apply: (m: Gpt2ForSequenceClassification, c: LoraConfigInput) => {
                addLora(m.backbone, c);
                return m;
              },
            },
          }
        : {}),
    });
    await saveResolvedConfig(config.outputDir, config);
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

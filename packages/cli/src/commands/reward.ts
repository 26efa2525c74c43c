import type { PreferenceRow } from '@trl/core';
import { AutoModelForSequenceClassification, addLora, type Gpt2ForSequenceClassification } from '@trl/models';
import { RewardTrainer, rewardConfigSchema } from '@trl/reward';
import type { CliIo } from '../io';
import { runSetupSchema } from './run-setup';
import { peftOption, runSupervisedCommand } from './supervised';

/** `trl reward`'s options: the run setup plus RewardConfig. */
export const rewardCommandSchema = rewardConfigSchema.extend(runSetupSchema.shape);

/** Runs `trl reward` with parsed flags; returns the process exit code. */
export function runReward(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  return runSupervisedCommand(
    {
      name: 'reward',
      schema: rewardCommandSchema,
      loadModel: (config) =>
        AutoModelForSequenceClassification.fromPretrained(config.modelNameOrPath, {
          numLabels: 1,
          seed: config.seed,
        }),
      createTrainer: ({ config, args, data, tokenizer, model }) =>
        new RewardTrainer({
          model,
          tokenizer,
          args,
          trainDataset: data.train.toArray() as unknown as PreferenceRow[],
          evalDataset: data.eval?.toArray() as unknown as PreferenceRow[] | undefined,
          progressStream: io.stderr,
          ...peftOption(config, (m: Gpt2ForSequenceClassification, c) => {
            addLora(m.backbone, c);
            return m;
          }),
        }),
    },
    flags,
    io,
  );
}

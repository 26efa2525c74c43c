import { AutoModelForCausalLM, addLora, type Gpt2LMHeadModel } from '@trl/models';
import { SFTTrainer, sftConfigSchema } from '@trl/sft';
import type { CliIo } from '../io';
import { runSetupSchema } from './run-setup';
import { peftOption, runSupervisedCommand } from './supervised';

/** `trl sft`'s options: the run setup plus SFTConfig. */
export const sftCommandSchema = sftConfigSchema.extend(runSetupSchema.shape);

/** Runs `trl sft` with parsed flags; returns the process exit code. */
export function runSft(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  return runSupervisedCommand(
    {
      name: 'sft',
      schema: sftCommandSchema,
      loadModel: (config) =>
        AutoModelForCausalLM.fromPretrained(config.modelNameOrPath, { seed: config.seed }),
      createTrainer: ({ config, args, data, tokenizer, model }) =>
        new SFTTrainer({
          model,
          tokenizer,
          args,
          trainDataset: data.train,
          evalDataset: data.eval,
          progressStream: io.stderr,
          onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
          ...peftOption(config, (m: Gpt2LMHeadModel, c) => addLora(m, c)),
        }),
    },
    flags,
    io,
  );
}

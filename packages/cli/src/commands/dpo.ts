import { DPOTrainer, dpoConfigSchema } from '@trl/dpo';
import { AutoModelForCausalLM, addLora, createReferenceModel, type Gpt2LMHeadModel } from '@trl/models';
import type { CliIo } from '../io';
import { runSetupSchema } from './run-setup';
import { peftOption, runSupervisedCommand } from './supervised';

/** `trl dpo`'s options: the run setup plus DPOConfig. */
export const dpoCommandSchema = dpoConfigSchema.extend(runSetupSchema.shape);

/**
 * Runs `trl dpo` with parsed flags; returns the process exit code. The reference is a frozen copy of
 * the loaded model, unless `--precompute-ref-log-probs` scores the data once instead.
 */
export function runDpo(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  return runSupervisedCommand(
    {
      name: 'dpo',
      schema: dpoCommandSchema,
      loadModel: (config) =>
        AutoModelForCausalLM.fromPretrained(config.modelNameOrPath, { seed: config.seed }),
      createTrainer: ({ config, args, data, tokenizer, model }) =>
        new DPOTrainer({
          model,
          ...(config.precomputeRefLogProbs
            ? {}
            : { refModel: createReferenceModel(model as Gpt2LMHeadModel) }),
          tokenizer,
          args,
          trainDataset: data.train.toArray(),
          evalDataset: data.eval?.toArray(),
          progressStream: io.stderr,
          ...peftOption(config, (m: Gpt2LMHeadModel, c) => addLora(m, c)),
        }),
    },
    flags,
    io,
  );
}

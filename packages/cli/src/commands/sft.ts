import { initBackend } from '@trl/core';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  addLora,
  type Gpt2LMHeadModel,
  type LoraConfigInput,
} from '@trl/models';
import { SFTTrainer, sftConfigSchema } from '@trl/sft';
import type { CliIo } from '../io';
import { resolveConfig } from '../options/resolve';
import { loadRunData, loraSettings } from './load-data';
import { runSetupSchema, trainerArgs } from './run-setup';
import { formatConfig, saveResolvedConfig } from './save-config';

/** `trl sft`'s options: the run setup plus SFTConfig. */
export const sftCommandSchema = sftConfigSchema.extend(runSetupSchema.shape);

/** Runs `trl sft` with parsed flags; returns the process exit code. */
export async function runSft(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const config = await resolveConfig('sft', sftCommandSchema, flags);
  io.stdout.write(formatConfig(config));
  if (config.dryRun) return 0;
  await initBackend(config.backend);
  const data = await loadRunData(config, config.seed, io);
  const args = trainerArgs(config);
  const tokenizer = await AutoTokenizer.fromPretrained(config.modelNameOrPath);
  const model = await AutoModelForCausalLM.fromPretrained(config.modelNameOrPath, { seed: config.seed });
  try {
    const trainer = new SFTTrainer({
      model,
      tokenizer,
      args: { ...args, evalStrategy: data.eval ? args.evalStrategy : 'no' },
      trainDataset: data.train,
      evalDataset: data.eval,
      progressStream: io.stderr,
      onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
      ...(config.usePeft
        ? {
            peft: {
              config: loraSettings(config) as LoraConfigInput,
              apply: (m: Gpt2LMHeadModel, c: LoraConfigInput) => addLora(m, c),
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

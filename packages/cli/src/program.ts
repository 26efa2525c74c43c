import { Command, CommanderError, Option } from 'commander';
import type { z } from 'zod';
import { dpoCommandSchema, runDpo } from './commands/dpo';
import { ppoCommandSchema, runPpo } from './commands/ppo';
import { rewardCommandSchema, runReward } from './commands/reward';
import { runSft, sftCommandSchema } from './commands/sft';
import type { CliIo } from './io';
import { OPTION_HELP } from './options/help';
import { cliFields } from './options/zod-fields';

type Runner = (flags: Record<string, unknown>, io: CliIo) => Promise<number>;

/** The commands, their schemas and one-line descriptions. */
export const COMMANDS: readonly { name: string; summary: string; schema: z.ZodObject; run: Runner }[] = [
  {
    name: 'sft',
    summary: 'supervised fine-tuning of a causal LM (SFTTrainer)',
    schema: sftCommandSchema,
    run: runSft,
  },
  {
    name: 'reward',
    summary: 'train a reward model on preference pairs (RewardTrainer)',
    schema: rewardCommandSchema,
    run: runReward,
  },
  {
    name: 'dpo',
    summary: 'direct preference optimization of a causal LM on prompt/chosen/rejected rows (DPOTrainer)',
    schema: dpoCommandSchema,
    run: runDpo,
  },
  {
    name: 'ppo',
    summary: 'PPO fine-tuning against a reward model (PPOTrainer)',
    schema: ppoCommandSchema,
    run: runPpo,
  },
];

/** Help text of one option: its description, choices and default. */
function describe(key: string, choices: readonly string[] | undefined, defaultValue: unknown): string {
  const parts = [OPTION_HELP[key] ?? key];
  if (choices) parts.push(`(choices: ${choices.join(', ')})`);
  if (defaultValue !== undefined) parts.push(`(default: ${JSON.stringify(defaultValue)})`);
  return parts.join(' ');
}

/** Builds the `trl` program; `run` receives each command's raw flags. */
export function buildProgram(io: CliIo, onRun: (code: number) => void): Command {
  const program = new Command('trl')
    .description(
      'Train language models with trl-ts: sft, reward, dpo and ppo. Options come from --config (JSON) and flags; flags win.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for every option)');
  for (const command of COMMANDS) {
    const sub = program
      .command(command.name)
      .description(command.summary)
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
      })
      .addOption(new Option('--config <file>', describe('config', undefined, undefined)));
    for (const field of cliFields(command.schema)) {
      const flag = field.kind === 'boolean' ? `${field.flag} [bool]` : `${field.flag} <value>`;
      const required = field.required ? ' (required)' : '';
      sub.addOption(new Option(flag, describe(field.key, field.choices, field.defaultValue) + required));
    }
    sub.action(async (flags: Record<string, unknown>) => {
      onRun(await command.run(flags, io));
    });
  }
  return program;
}

/** Runs the CLI on `argv` (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (exit) => {
    code = exit;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? 0
        : error.exitCode || 1;
    }
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

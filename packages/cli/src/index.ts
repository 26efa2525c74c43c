/**
 * @trl/cli: the `trl` command line (`trl sft`, `trl reward`, `trl ppo`) and its building blocks,
 * so the same commands can be run from code and tests.
 */

export { dpoCommandSchema, runDpo } from './commands/dpo';
export { ppoCommandSchema, runPpo } from './commands/ppo';
export { rewardCommandSchema, runReward } from './commands/reward';
export { type RunSetup, runSetupSchema } from './commands/run-setup';
export { RESOLVED_CONFIG_FILE } from './commands/save-config';
export { runSft, sftCommandSchema } from './commands/sft';
export type { CliIo } from './io';
export { OPTION_HELP } from './options/help';
export { resolveConfig } from './options/resolve';
export { type CliField, cliFields, coerceFlag, type FieldKind, kebabCase } from './options/zod-fields';
export { buildProgram, COMMANDS, runCli } from './program';

import { z } from 'zod';
import type { CliIo } from '../io';
import { resolveConfig } from '../options/resolve';

/** `trl ppo`'s options (placeholder until wired). */
export const ppoCommandSchema = z.object({});

/** Runs `trl ppo`. */
export async function runPpo(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  await resolveConfig('ppo', ppoCommandSchema, flags);
  io.stderr.write('error: trl ppo is not available yet.\n');
  return 1;
}

import { join } from 'node:path';
import { writeFileAtomic } from '@trl/core';

/** File the resolved config is saved to in the output directory. */
export const RESOLVED_CONFIG_FILE = 'trl_config.json';

/** The resolved config as pretty JSON (what is printed and saved). */
export function formatConfig(config: Record<string, unknown>): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Saves the resolved config into the output directory (atomically). */
export async function saveResolvedConfig(
  outputDir: string,
  config: Record<string, unknown>,
): Promise<string> {
  const path = join(outputDir, RESOLVED_CONFIG_FILE);
  await writeFileAtomic(path, formatConfig(config));
  return path;
}

import { join } from 'node:path';

/** Applies `--set path.to.key=value` overrides (numbers and booleans parsed) to `config` in place. */
export function applyOverrides<T extends object>(config: T, args: readonly string[]): T {
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--set') continue;
    const [path = '', raw] = String(args[++i]).split('=');
    const keys = path.split('.');
    // Walks plain config objects by name; a missing step leaves `target` undefined and fails below.
    let target: Record<string, unknown> | undefined = config as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) target = target?.[key] as Record<string, unknown> | undefined;
    const last = keys[keys.length - 1] ?? '';
    if (!target || typeof target !== 'object' || !(last in target))
      throw new Error(`--set ${path}: no such config field.`);
    target[last] =
      raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  return config;
}

/**
 * Reads an example's command line: `--smoke` picks `smokeConfig` over `fullConfig`, `--set` overrides
 * apply to a copy (the exported configs stay untouched), and the run directory is a fresh timestamped
 * folder under `<exampleDir>/runs`, suffixed with `-smoke` and `$RUN_TAG` so parallel runs never collide.
 */
export function parseRunArgs<C extends object>({
  args,
  smokeConfig,
  fullConfig,
  exampleDir,
  now = new Date(),
  runTag = process.env.RUN_TAG ?? '',
}: {
  args: readonly string[];
  smokeConfig: C;
  fullConfig: C;
  exampleDir: string;
  now?: Date;
  runTag?: string;
}): { smoke: boolean; config: C; runDir: string } {
  const smoke = args.includes('--smoke');
  const config = applyOverrides(structuredClone(smoke ? smokeConfig : fullConfig), args);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const runDir = join(exampleDir, 'runs', `${stamp}${smoke ? '-smoke' : ''}${runTag}`);
  return { smoke, config, runDir };
}

import { fileURLToPath } from 'node:url';
import { parseRunArgs } from './cli';

/** What an example's `main` brings: its name, configs, the experiment and how to word the result. */
export interface ExampleMain<C extends object, S> {
  /** Printed in the banner, e.g. `calculator`. */
  name: string;
  /** `import.meta.url` of the example's `src/main` file; its package folder holds `runs/`. */
  mainUrl: string;
  smokeConfig: C;
  fullConfig: C;
  /** Runs the whole experiment, writing logs, curves and checkpoints under `runDir`. */
  run: (config: C, runDir: string) => Promise<S>;
  /** The summary lines printed after the run, most important first. */
  report: (summary: S, runDir: string) => string[];
}

/** A rate in [0, 1] as the examples print it: `12.5%`. */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** `+3` or `-2`: a change in percentage points with its sign. */
export function signedPoints(points: number): string {
  return `${points >= 0 ? '+' : ''}${points}`;
}

/**
 * The command-line entry every example shares: reads `--smoke` and `--set` overrides, prints the
 * banner and the config, runs the experiment and prints its report; returns the summary.
 */
export async function runExampleMain<C extends object, S>(example: ExampleMain<C, S>): Promise<S> {
  const { smoke, config, runDir } = parseRunArgs({
    args: process.argv.slice(2),
    smokeConfig: example.smokeConfig,
    fullConfig: example.fullConfig,
    exampleDir: fileURLToPath(new URL('..', example.mainUrl)),
  });
  console.log(`${example.name} example (${smoke ? 'smoke' : 'full'} mode), run directory ${runDir}`);
  console.log(`config: ${JSON.stringify(config, null, 2)}`);
  const summary = await example.run(config, runDir);
  console.log(['', ...example.report(summary, runDir)].join('\n'));
  return summary;
}

/**
 * The result lines a tool example prints after its run: held-out accuracy before and after PPO,
 * greedy accuracy, tool-call rate, the example's own lines, wall time and where the files are.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percent, runExampleMain, signedPoints } from './main';
import type { ToolPpoSummary } from './tool-ppo';

/** `<label>: after SFT 12.5%, after PPO 50.0%`. */
export function beforeAfter(label: string, afterSft: number, afterPpo: number): string {
  return `${label}: after SFT ${percent(afterSft)}, after PPO ${percent(afterPpo)}`;
}

/** How an example words its report. */
export interface ToolReportWording {
  /** The held-out set, e.g. `16 tasks`. */
  heldOut: string;
  /** Label of the tool-call line; default `tool-call rate (sampled)`. */
  toolCallLabel?: string;
  /** What the SFT time covers; default `SFT`. */
  sftLabel?: string;
  /** Lines of the example's own, after the tool-call line. */
  extraLines?: readonly string[];
}

/** The report lines of a tool example's run (see `runExampleMain`'s `report`). */
export function toolPpoReport<X extends object>(
  summary: ToolPpoSummary<X>,
  runDir: string,
  wording: ToolReportWording,
): string[] {
  const { afterSft, afterPpo } = summary;
  return [
    `held-out accuracy (${wording.heldOut}, sampled): after SFT ${percent(afterSft.sampled.accuracy)}, ` +
      `after PPO ${percent(afterPpo.sampled.accuracy)} (${signedPoints(summary.gainPoints)} points)`,
    beforeAfter('greedy', afterSft.greedy.accuracy, afterPpo.greedy.accuracy),
    beforeAfter(
      wording.toolCallLabel ?? 'tool-call rate (sampled)',
      afterSft.sampled.toolCallRate,
      afterPpo.sampled.toolCallRate,
    ),
    ...(wording.extraLines ?? []),
    `wall time: ${summary.totalSeconds} s (${wording.sftLabel ?? 'SFT'} ${summary.sftSeconds} s, evaluation + PPO ${summary.ppoSeconds} s), load average ${summary.loadAverage.join(' ')}`,
    `logs, curve and checkpoint: ${runDir}`,
  ];
}

/** What a tool example's `main` brings to {@link runToolExampleMain}. */
export interface ToolExampleMain<C extends object, X extends object> {
  /** `import.meta.url` of the example's `src/main` file; its package folder names the example. */
  mainUrl: string;
  configs: { smoke: C; full: C };
  /** Runs the whole experiment under `runDir`. */
  run: (config: C, runDir: string) => Promise<ToolPpoSummary<X>>;
  /** How the report words the summary. */
  wording: (summary: ToolPpoSummary<X>) => ToolReportWording;
}

/**
 * `runExampleMain` for a tool example: the banner names the example after its package folder
 * (`calculator`), and the report is {@link toolPpoReport}'s.
 */
export function runToolExampleMain<C extends object, X extends object>(
  example: ToolExampleMain<C, X>,
): Promise<ToolPpoSummary<X>> {
  return runExampleMain({
    name: basename(fileURLToPath(new URL('..', example.mainUrl))),
    mainUrl: example.mainUrl,
    smokeConfig: example.configs.smoke,
    fullConfig: example.configs.full,
    run: example.run,
    report: (summary, runDir) => toolPpoReport(summary, runDir, example.wording(summary)),
  });
}

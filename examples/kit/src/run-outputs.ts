/**
 * The files every example run ends with, written in one order: `summary.json`, the learning curve
 * and, when asked, `checkpoint/` (model and tokenizer in Hugging Face layout).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { getBackendInfo } from '@trl/core';
import { type LineChart, writeLearningCurve } from './chart';
import { round } from './run';

/** Something `savePretrained` writes into a directory. */
interface Pretrained {
  savePretrained(dir: string): Promise<unknown>;
}

/** Where a summary's numbers were measured: the backend and the machine's load average. */
export function machineSummary(): { backend: string | undefined; loadAverage: number[] } {
  return { backend: getBackendInfo()?.name, loadAverage: loadavg().map((v) => round(v, 2)) };
}

/**
 * Writes `summary.json` (pretty-printed), `learning-curve.{vl.json,svg,png}` and, with `checkpoint`,
 * the model and its tokenizer to `checkpoint/`, all under `runDir`.
 */
export async function writeRunOutputs({
  runDir,
  summary,
  chart,
  checkpoint,
}: {
  runDir: string;
  summary: object;
  chart: LineChart;
  checkpoint?: { model: Pretrained; tokenizer: Pretrained } | undefined;
}): Promise<void> {
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeLearningCurve(runDir, 'learning-curve', chart);
  if (checkpoint) {
    await checkpoint.model.savePretrained(join(runDir, 'checkpoint'));
    await checkpoint.tokenizer.savePretrained(join(runDir, 'checkpoint'));
  }
}

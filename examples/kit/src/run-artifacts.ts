/**
 * What a finished example run left in its run directory, read back for the examples' smoke tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files of a run directory the smoke tests look at. */
export interface RunArtifacts {
  /** Every metric name logged to `metrics.jsonl`. */
  metricKeys: Set<string>;
  /** `learning-curve.svg` as text. */
  svg: string;
  /** `learning-curve.png` as bytes. */
  png: Buffer;
  /** `summary.json`. */
  summary: Record<string, unknown>;
  /** `config.json` of a model saved under the run directory (`checkpoint`, `sft-checkpoint`). */
  savedConfig: (dir: string) => Record<string, unknown>;
  /** True when `path` (relative to the run directory) exists. */
  has: (path: string) => boolean;
}

/** The first eight bytes of every PNG file. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));

/** Reads the logs, curve, summary and checkpoints a run wrote under `runDir`. */
export function readRunArtifacts(runDir: string): RunArtifacts {
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return {
    metricKeys: new Set(lines.flatMap((line) => Object.keys(JSON.parse(line)))),
    svg: readFileSync(join(runDir, 'learning-curve.svg'), 'utf8'),
    png: readFileSync(join(runDir, 'learning-curve.png')),
    summary: readJson(join(runDir, 'summary.json')),
    savedConfig: (dir) => readJson(join(runDir, dir, 'config.json')),
    has: (path) => existsSync(join(runDir, path)),
  };
}

/** A whole SVG document, as `writeLearningCurve` writes it (newline-terminated). */
export const SVG_DOCUMENT = /^<svg[\s\S]*<\/svg>\n$/;

/**
 * What is wrong with a finished run directory, one line a problem (none: `[]`): every name in
 * `metrics` logged to `metrics.jsonl`, every path in `files` present, the learning curve a whole SVG
 * document and a PNG file. Lets a smoke test check all of it in one assertion that names the misses.
 */
export function runDirProblems(
  runDir: string,
  { metrics = [], files = [] }: { metrics?: readonly string[]; files?: readonly string[] },
): string[] {
  const run = readRunArtifacts(runDir);
  return [
    ...metrics.filter((key) => !run.metricKeys.has(key)).map((key) => `metric ${key} never logged`),
    ...files.filter((path) => !run.has(path)).map((path) => `${path} missing`),
    ...(SVG_DOCUMENT.test(run.svg) ? [] : ['learning-curve.svg is not a whole SVG document']),
    ...(PNG_SIGNATURE.every((byte, i) => run.png[i] === byte) ? [] : ['learning-curve.png is not a PNG']),
  ];
}

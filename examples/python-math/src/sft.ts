import type { Rng } from '@trl/core';
import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type ToolSftRun } from '@trl/example-kit/tool-sft';
import { type Problem, sampleTrainingProblems } from './problems';
import { type TranscriptKind, transcriptSegments } from './protocol';

/** Shares of the SFT transcript kinds; the rest answer directly. */
export interface TranscriptMix {
  programFraction: number;
  slipFraction: number;
}

/**
 * The kind of one SFT transcript: `program` with probability `programFraction`, `slip` with
 * `slipFraction`, otherwise `direct` — the mix that makes the warm start imperfect on purpose.
 */
export function drawTranscriptKind(
  rng: Rng,
  { programFraction, slipFraction }: TranscriptMix,
): TranscriptKind {
  const u = rng.next();
  if (u < programFraction) return 'program';
  if (u < programFraction + slipFraction) return 'slip';
  return 'direct';
}

/**
 * Supervised warm start on freshly drawn training problems and transcript kinds; the question and
 * the program's output are not trained on. The loop is the kit's `runTranscriptSft`.
 */
export async function runSft({
  isHeldOut,
  ...run
}: ToolSftRun<SftLoopConfig & TranscriptMix> & { isHeldOut: (problem: Problem) => boolean }) {
  if (run.config.programFraction + run.config.slipFraction > 1) {
    throw new Error('runSft: sft.programFraction + sft.slipFraction must be at most 1.');
  }
  return runTranscriptSft({
    ...run,
    sampleTranscripts: (batchSize, rng) =>
      sampleTrainingProblems(batchSize, rng, isHeldOut).map((problem) =>
        transcriptSegments(problem, drawTranscriptKind(rng, run.config), rng),
      ),
  });
}

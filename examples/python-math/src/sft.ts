import type { CausalLM, Rng, Tracker } from '@trl/core';
import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type TranscriptSftOptions } from '@trl/example-kit/tool-sft';
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
  model,
  tokenizer,
  isHeldOut,
  config,
  tracker,
  onProgress,
}: {
  model: CausalLM;
  tokenizer: TranscriptSftOptions['tokenizer'];
  isHeldOut: (problem: Problem) => boolean;
  config: SftLoopConfig & TranscriptMix;
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void;
}) {
  if (config.programFraction + config.slipFraction > 1) {
    throw new Error('runSft: sft.programFraction + sft.slipFraction must be at most 1.');
  }
  const sampleTranscripts = (batchSize: number, rng: Rng) =>
    sampleTrainingProblems(batchSize, rng, isHeldOut).map((problem) =>
      transcriptSegments(problem, drawTranscriptKind(rng, config), rng),
    );
  return runTranscriptSft({
    model,
    tokenizer,
    sampleTranscripts,
    config,
    tracker,
    ...(onProgress ? { onProgress } : {}),
  });
}

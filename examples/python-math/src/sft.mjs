import { runMaskedSft } from '@trl/example-kit/sft';
import { padTokenIdOf } from '@trl/example-kit/transcript';
import { sampleTrainingProblems } from './problems.mjs';
import { encodeTranscript, transcriptSegments } from './protocol.mjs';

export { buildSftBatch } from '@trl/example-kit/sft';

/**
 * The kind of one SFT transcript: `program` with probability `programFraction`, `slip` with
 * `slipFraction`, otherwise `direct` — the mix that makes the warm start imperfect on purpose.
 */
export function drawTranscriptKind(rng, { programFraction, slipFraction }) {
  const u = rng.next();
  if (u < programFraction) return 'program';
  if (u < programFraction + slipFraction) return 'slip';
  return 'direct';
}

/**
 * Supervised warm start on freshly drawn training problems and transcript kinds; the question and
 * the program's output are not trained on. The loop (AdamW, warmup + cosine, clipping, logging) is
 * the kit's `runMaskedSft`.
 */
export async function runSft({ model, tokenizer, isHeldOut, config, tracker, onProgress }) {
  if (config.programFraction + config.slipFraction > 1) {
    throw new Error('runSft: sft.programFraction + sft.slipFraction must be at most 1.');
  }
  const sampleExamples = (batchSize, rng) =>
    sampleTrainingProblems(batchSize, rng, isHeldOut).map((problem) =>
      encodeTranscript(transcriptSegments(problem, drawTranscriptKind(rng, config), rng), tokenizer),
    );
  const padTokenId = padTokenIdOf(tokenizer);
  return runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress });
}

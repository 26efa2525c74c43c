import { runMaskedSft } from '@trl/example-kit/sft';
import { padTokenIdOf } from '@trl/example-kit/transcript';
import { createCalculator, encodeTranscript, transcriptSegments } from './protocol.mjs';
import { sampleTasks } from './tasks.mjs';

export { buildSftBatch } from '@trl/example-kit/sft';

/**
 * Supervised warm start on freshly drawn transcripts: each example uses the calculator with
 * probability `toolFraction`, otherwise answers directly; the prompt and the tool's output are not
 * trained on. The loop (AdamW, warmup + cosine, clipping, logging) is the kit's `runMaskedSft`.
 */
export async function runSft({ model, tokenizer, pool, config, tracker, onProgress }) {
  const calculator = createCalculator();
  const sampleExamples = (batchSize, rng) =>
    sampleTasks(pool, batchSize, rng).map((task) =>
      encodeTranscript(
        transcriptSegments(task, rng.next() < config.toolFraction ? 'tool' : 'direct', calculator),
        tokenizer,
      ),
    );
  const padTokenId = padTokenIdOf(tokenizer);
  return runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress });
}

import { runMaskedSft } from '@trl/example-kit/sft';
import { padTokenIdOf } from '@trl/example-kit/transcript';
import { sampleFrom } from './entities.mjs';
import { encodeTranscript, toolQuery, transcriptSegments } from './protocol.mjs';

export { buildSftBatch } from '@trl/example-kit/sft';

/**
 * Supervised warm start on freshly drawn transcripts of `pool`'s questions: each searches the wiki
 * with probability `toolFraction` (its passage from `responses`, what the tool returns for the
 * question's query), otherwise answers from memory; the question and the passage are not trained
 * on. The loop (AdamW, warmup + cosine, clipping, logging) is the kit's `runMaskedSft`.
 */
export async function runSft({ model, tokenizer, pool, responses, config, tracker, onProgress }) {
  const sampleExamples = (batchSize, rng) =>
    sampleFrom(pool, batchSize, rng).map((question) => {
      const kind = rng.next() < config.toolFraction ? 'tool' : 'direct';
      const segments = transcriptSegments(question, kind, responses.get(toolQuery(question)));
      return encodeTranscript(segments, tokenizer);
    });
  const padTokenId = padTokenIdOf(tokenizer);
  return runMaskedSft({ model, sampleExamples, padTokenId, config, tracker, onProgress });
}

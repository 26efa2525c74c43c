import type { CausalLM, Rng, Tracker } from '@trl/core';
import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type TranscriptSftOptions } from '@trl/example-kit/tool-sft';
import { type Question, sampleFrom } from './entities';
import { toolQuery, transcriptSegments } from './protocol';

/**
 * Supervised warm start on freshly drawn transcripts of `pool`'s questions: each searches the wiki
 * with probability `toolFraction` (its passage from `responses`, what the tool returns for the
 * question's query), otherwise answers from memory; the question and the passage are not trained
 * on. The loop is the kit's `runTranscriptSft`.
 */
export function runSft({
  model,
  tokenizer,
  pool,
  responses,
  config,
  tracker,
  onProgress,
}: {
  model: CausalLM;
  tokenizer: TranscriptSftOptions['tokenizer'];
  pool: readonly Question[];
  responses: ReadonlyMap<string, string>;
  config: SftLoopConfig & { toolFraction: number };
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void;
}) {
  const sampleTranscripts = (batchSize: number, rng: Rng) =>
    sampleFrom(pool, batchSize, rng).map((question) => {
      const kind = rng.next() < config.toolFraction ? 'tool' : 'direct';
      return transcriptSegments(question, kind, responses.get(toolQuery(question)));
    });
  return runTranscriptSft({
    model,
    tokenizer,
    sampleTranscripts,
    config,
    tracker,
    ...(onProgress ? { onProgress } : {}),
  });
}

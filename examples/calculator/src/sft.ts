import type { CausalLM, Rng, Tracker } from '@trl/core';
import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type TranscriptSftOptions } from '@trl/example-kit/tool-sft';
import { createCalculator, transcriptSegments } from './protocol';
import { sampleTasks, type Task } from './tasks';

/**
 * Supervised warm start on freshly drawn transcripts: each example uses the calculator with
 * probability `toolFraction`, otherwise answers directly; the prompt and the tool's output are not
 * trained on. The loop is the kit's `runTranscriptSft`.
 */
export function runSft({
  model,
  tokenizer,
  pool,
  config,
  tracker,
  onProgress,
}: {
  model: CausalLM;
  tokenizer: TranscriptSftOptions['tokenizer'];
  pool: readonly Task[];
  config: SftLoopConfig & { toolFraction: number };
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void;
}) {
  const calculator = createCalculator();
  const sampleTranscripts = (batchSize: number, rng: Rng) =>
    sampleTasks(pool, batchSize, rng).map((task) =>
      transcriptSegments(task, rng.next() < config.toolFraction ? 'tool' : 'direct', calculator),
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

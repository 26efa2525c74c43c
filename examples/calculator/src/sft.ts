import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type ToolSftRun } from '@trl/example-kit/tool-sft';
import { createCalculator, transcriptSegments } from './protocol';
import { sampleTasks, type Task } from './tasks';

/**
 * Supervised warm start on freshly drawn transcripts of `pool`'s tasks: each example uses the
 * calculator with probability `toolFraction`, otherwise answers directly; the prompt and the tool's
 * output are not trained on. The loop is the kit's `runTranscriptSft`.
 */
export function runSft({
  pool,
  ...run
}: ToolSftRun<SftLoopConfig & { toolFraction: number }> & { pool: readonly Task[] }) {
  const calculator = createCalculator();
  return runTranscriptSft({
    ...run,
    sampleTranscripts: (batchSize, rng) =>
      sampleTasks(pool, batchSize, rng).map((task) =>
        transcriptSegments(task, rng.next() < run.config.toolFraction ? 'tool' : 'direct', calculator),
      ),
  });
}

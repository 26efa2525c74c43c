import type { SftLoopConfig } from '@trl/example-kit/sft';
import { runTranscriptSft, type ToolSftRun } from '@trl/example-kit/tool-sft';
import { type Question, sampleFrom } from './entities';
import { toolQuery, transcriptSegments } from './protocol';

/**
 * Supervised warm start on freshly drawn transcripts of `pool`'s questions: each searches the wiki
 * with probability `toolFraction` (its passage from `responses`, what the tool returns for the
 * question's query), otherwise answers from memory; the question and the passage are not trained
 * on. The loop is the kit's `runTranscriptSft`.
 */
export function runSft({
  pool,
  responses,
  ...run
}: ToolSftRun<SftLoopConfig & { toolFraction: number }> & {
  pool: readonly Question[];
  responses: ReadonlyMap<string, string>;
}) {
  return runTranscriptSft({
    ...run,
    sampleTranscripts: (batchSize, rng) =>
      sampleFrom(pool, batchSize, rng).map((question) => {
        const kind = rng.next() < run.config.toolFraction ? 'tool' : 'direct';
        return transcriptSegments(question, kind, responses.get(toolQuery(question)));
      }),
  });
}

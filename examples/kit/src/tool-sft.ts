/**
 * The SFT warm start of the tool examples: freshly drawn transcripts, tokenized segment by segment,
 * trained on the model's own segments only (prompts and tool output are masked out).
 */
import { type CausalLM, type Rng, resolvePadTokenId, type Tracker } from '@trl/core';
import { runMaskedSft, type SftLoopConfig } from '@trl/example-kit/sft';
import { encodeTranscript, type Segment } from './transcript';

/** What {@link runTranscriptSft} needs; `C` is the example's SFT config (the loop's settings and its own). */
export interface TranscriptSftOptions<C extends SftLoopConfig = SftLoopConfig> {
  model: CausalLM;
  tokenizer: {
    encode(text: string): number[];
    padTokenId?: number | undefined;
    eosTokenId?: number | undefined;
  };
  /** The next batch of transcripts; every random draw of a batch comes from `rng`. */
  sampleTranscripts: (batchSize: number, rng: Rng) => Segment[][];
  config: C;
  tracker: Tracker;
  onProgress?: (step: number, loss: number) => void | Promise<void>;
}

/**
 * Runs the kit's masked SFT loop (AdamW, warmup + cosine, clipping, logging) on transcripts from
 * `sampleTranscripts`, padded with {@link resolvePadTokenId}'s id.
 */
export function runTranscriptSft<C extends SftLoopConfig>(
  options: TranscriptSftOptions<C>,
): Promise<{ finalLoss: number }> {
  const { model, tokenizer, sampleTranscripts, config, tracker, onProgress } = options;
  const sampleExamples = (batchSize: number, rng: Rng) =>
    sampleTranscripts(batchSize, rng).map((segments) => encodeTranscript(segments, tokenizer));
  const padTokenId = resolvePadTokenId(tokenizer);
  return runMaskedSft({
    model,
    sampleExamples,
    padTokenId,
    config,
    tracker,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** An example's warm-start run without its sampler: what its `runSft` receives from the experiment. */
export type ToolSftRun<C extends SftLoopConfig> = Omit<TranscriptSftOptions<C>, 'sampleTranscripts'>;

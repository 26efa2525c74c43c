/**
 * Transcript pieces the tool examples share: how an SFT transcript becomes token ids with a loss
 * mask, which segment a TRL-style reward reads, and the numeric `Result=N<submit>` match.
 */
import { resolvePadTokenId } from '@trl/core';

/**
 * One stretch of a transcript; `system` segments (prompt, tool output) are written by the
 * environment and never trained on.
 */
export interface Segment {
  text: string;
  system: boolean;
}

/**
 * The full transcript text (what a TextHistory of the same episode reads).
 */
export function transcriptText(segments: readonly Segment[]): string {
  return segments.map((segment) => segment.text).join('');
}

/**
 * Token ids of a transcript and which of them are trained on. Each segment is tokenized on its own,
 * as the TextEnvironment does, so SFT sees the same token boundaries PPO will generate across.
 */
export function encodeTranscript(
  segments: readonly Segment[],
  tokenizer: { encode(text: string): number[] },
): { ids: number[]; trainOn: boolean[] } {
  const ids: number[] = [];
  const trainOn: boolean[] = [];
  for (const segment of segments) {
    for (const token of tokenizer.encode(segment.text)) {
      ids.push(token);
      trainOn.push(!segment.system);
    }
  }
  return { ids, trainOn };
}

/**
 * The pad id of `tokenizer` by the project's one rule, {@link resolvePadTokenId} (its pad id, else
 * eos); kept for callers whose tokenizer reports a missing pad id as `null`.
 */
export function padTokenIdOf(tokenizer: { padTokenId?: number | null; eosTokenId: number }): number {
  return resolvePadTokenId({
    padTokenId: tokenizer.padTokenId ?? undefined,
    eosTokenId: tokenizer.eosTokenId,
  });
}

/**
 * The text of the last segment the model wrote in a TextHistory (what TRL's reward reads).
 */
export function lastModelText(history: { segments: readonly Segment[] }): string {
  const segments = history.segments;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (segment && !segment.system) return segment.text;
  }
  return '';
}

const RESULT_PATTERN = /Result\s*=\s*(-?\d+(?:\.\d+)?)\s*<submit>/;

/**
 * The number submitted in `text` as TRL's `Result=N<submit>` (first match), or null.
 */
export function parseSubmittedResult(text: string): number | null {
  const match = RESULT_PATTERN.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * TRL's exact-match reward on the model's final segment: 1 when it submits `Result=N<submit>` with N
 * the answer (within 0.1, as TRL; the examples' answers are integers, so this is exact), else 0.
 */
export function exactMatchReward(text: string, answer: number): 0 | 1 {
  const submitted = parseSubmittedResult(text);
  return submitted !== null && Math.abs(submitted - answer) < 0.1 ? 1 : 0;
}

/**
 * A TextEnvironment `rewardFn` scoring each history's last model segment against its answer with
 * `reward` (the tool examples pass {@link exactMatchReward} or a text match of their own).
 */
export function lastSegmentReward<A>(
  reward: (text: string, answer: A) => number,
): (histories: readonly { segments: readonly Segment[] }[], context: { answers: readonly A[] }) => number[] {
  return (histories, { answers }) =>
    histories.map((history, i) => reward(lastModelText(history), answers[i] as A));
}

/** The tokens of `text` as `tokenizer` splits it, each decoded on its own (for tokenizer checks). */
export function tokenPieces(
  tokenizer: { encode(text: string): number[]; decode(ids: number[]): string },
  text: string,
): string[] {
  return tokenizer.encode(text).map((id) => tokenizer.decode([id]));
}

/** The `markers` that `tokenizer` does not keep as one token (none: `[]`). */
export function splitMarkers(
  tokenizer: { encode(text: string): number[] },
  markers: readonly string[],
): string[] {
  return markers.filter((marker) => tokenizer.encode(marker).length !== 1);
}

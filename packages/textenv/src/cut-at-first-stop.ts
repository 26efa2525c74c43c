import type { Tokenizer } from '@trl/spec';

/** End position of the earliest stop-string occurrence in `text`, or -1 when there is none. */
function firstStopEnd(text: string, stopStrings: readonly string[]): number {
  let best = -1;
  for (const stop of stopStrings) {
    const at = text.indexOf(stop);
    if (at >= 0 && (best < 0 || at + stop.length < best)) best = at + stop.length;
  }
  return best;
}

/**
 * Keeps a generated row up to its first stop: the first eos token, or the shortest token prefix
 * whose text contains a stop string. A model that honours `stopStrings` already stops there, so
 * this normally returns the row unchanged after one decode; it protects the protocol against
 * models that over-generate (e.g. ones that check stop strings only every few tokens).
 */
export function cutAtFirstStop(
  tokenIds: readonly number[],
  stopStrings: readonly string[],
  eosIds: ReadonlySet<number>,
  tokenizer: Tokenizer,
): number[] {
  const eosAt = tokenIds.findIndex((id) => eosIds.has(id));
  const end = eosAt >= 0 ? eosAt + 1 : tokenIds.length;
  const kept = tokenIds.slice(0, end);
  const text = tokenizer.decode(kept);
  const stopEnd = firstStopEnd(text, stopStrings);
  if (stopEnd < 0 || stopEnd === text.length) return kept;
  for (let length = 1; length < end; length += 1) {
    if (firstStopEnd(tokenizer.decode(kept.slice(0, length)), stopStrings) >= 0) return kept.slice(0, length);
  }
  return kept;
}

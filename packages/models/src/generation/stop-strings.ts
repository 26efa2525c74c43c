import type { Tokenizer } from '@trl/core';

/**
 * Finds a stop string that the newest token completed: one that ends inside the text the newest
 * token added (as transformers' StopStringCriteria, a token may run past the stop string's end).
 * Only a short tail of the generated ids is decoded, so the cost does not grow with the row.
 */
export function findStopString(
  tokenizer: Tokenizer,
  generated: readonly number[],
  stopStrings: readonly string[],
): string | undefined {
  if (stopStrings.length === 0 || generated.length === 0) return undefined;
  // Every token carries at least one byte, so this many tokens cover the longest stop string
  // (plus one for a character split across tokens).
  const longest = Math.max(...stopStrings.map((s) => Buffer.byteLength(s, 'utf8')));
  const window = generated.slice(Math.max(0, generated.length - longest - 2));
  const text = tokenizer.decode(window);
  const before = tokenizer.decode(window.slice(0, -1));
  let newStart = 0;
  while (newStart < before.length && newStart < text.length && before[newStart] === text[newStart])
    newStart++;
  for (const stop of stopStrings) {
    const at = text.indexOf(stop, Math.max(0, newStart - stop.length + 1));
    if (at !== -1 && at + stop.length > newStart) return stop;
  }
  return undefined;
}

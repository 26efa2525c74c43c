import { IGNORE_INDEX, type SFTExample } from './tokenize';

/** Start of the last occurrence of `template` in `ids`, or -1 (TRL's collator keeps the last match). */
export function findLastSubsequence(ids: readonly number[], template: readonly number[]): number {
  for (let start = ids.length - template.length; start >= 0; start--) {
    let match = true;
    for (let offset = 0; offset < template.length; offset++) {
      if (ids[start + offset] !== template[offset]) {
        match = false;
        break;
      }
    }
    if (match) return start;
  }
  return -1;
}

/**
 * Completion-only labels (TRL's `DataCollatorForCompletionOnlyLM`): every position up to and
 * including the response template gets -100; the response keeps its labels. A row without the
 * template gets -100 everywhere and `found: false`, so it adds no loss.
 */
export function maskToResponse(
  example: SFTExample,
  template: readonly number[],
): { example: SFTExample; found: boolean } {
  const start = findLastSubsequence(example.inputIds, template);
  if (start < 0)
    return { example: { ...example, labels: example.labels.map(() => IGNORE_INDEX) }, found: false };
  const end = start + template.length;
  return {
    example: {
      ...example,
      labels: example.labels.map((label, index) => (index < end ? IGNORE_INDEX : label)),
    },
    found: true,
  };
}

import { IGNORE_INDEX, type SFTExample } from './tokenize';

/** A right-padded batch as plain arrays. */
export interface SFTBatch {
  /** Token ids `[batch][seq]`, padded with the pad id. */
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[][];
  /** Labels, -100 on padding and masked positions. */
  labels: number[][];
}

/** Pads examples on the right to the longest one; padding gets mask 0 and label -100. */
export function padCollate(examples: readonly SFTExample[], padTokenId: number): SFTBatch {
  const length = Math.max(...examples.map((example) => example.inputIds.length));
  const pad = <T>(values: readonly T[], fill: T): T[] => [
    ...values,
    ...Array<T>(length - values.length).fill(fill),
  ];
  return {
    inputIds: examples.map((example) => pad(example.inputIds, padTokenId)),
    attentionMask: examples.map((example) =>
      pad(
        example.inputIds.map(() => 1),
        0,
      ),
    ),
    labels: examples.map((example) => pad(example.labels, IGNORE_INDEX)),
  };
}

import type { PairExample } from './prepare';

/** Chosen and rejected rows padded together: rows 0..n-1 are chosen, n..2n-1 rejected. */
export interface PairBatch {
  /** Token ids `[2n][seq]`, right-padded. */
  inputIds: number[][];
  /** 1 for real tokens. */
  attentionMask: number[][];
  /** Margins of the n pairs. */
  margins: number[];
}

/** Pads both sides of every pair to one length so a single forward pass scores them all. */
export function collatePairs(examples: readonly PairExample[], padTokenId: number): PairBatch {
  const sequences = [
    ...examples.map((example) => example.chosen),
    ...examples.map((example) => example.rejected),
  ];
  const length = Math.max(...sequences.map((ids) => ids.length));
  return {
    inputIds: sequences.map((ids) => [...ids, ...Array<number>(length - ids.length).fill(padTokenId)]),
    attentionMask: sequences.map((ids) => [
      ...ids.map(() => 1),
      ...Array<number>(length - ids.length).fill(0),
    ]),
    margins: examples.map((example) => example.margin),
  };
}

import type { DPOExample } from './prepare';

/** Chosen and rejected sequences padded together: rows 0..n-1 chosen, n..2n-1 rejected. */
export interface DPOBatch {
  /** `prompt + completion` token ids `[2n][seq]`, right-padded. */
  inputIds: number[][];
  /** 1 for real tokens. */
  attentionMask: number[][];
  /** 1 for completion tokens (the ones whose log-probs are summed). */
  completionMask: number[][];
  /** Source row index of each pair. */
  indices: number[];
  /** Precomputed reference log-probs of the chosen sides, when every example has them. */
  refChosenLogps?: number[];
  /** Precomputed reference log-probs of the rejected sides. */
  refRejectedLogps?: number[];
}

/** TRL's DPO collator: concatenates prompt and completion, truncates keeping the start, pads right. */
export function collateDPO(
  examples: readonly DPOExample[],
  padTokenId: number,
  maxLength: number | null,
): DPOBatch {
  const cut = <T>(row: T[]) => (maxLength === null ? row : row.slice(0, maxLength));
  const sides = (['chosen', 'rejected'] as const).flatMap((side) =>
    examples.map((example) => ({
      ids: cut([...example.prompt, ...example[side]]),
      mask: cut([...example.prompt.map(() => 0), ...example[side].map(() => 1)]),
    })),
  );
  const length = Math.max(...sides.map((side) => side.ids.length));
  const pad = (row: number[], value: number) => [...row, ...Array<number>(length - row.length).fill(value)];
  const precomputed = examples.every(
    (e) => e.refChosenLogps !== undefined && e.refRejectedLogps !== undefined,
  );
  return {
    ...(precomputed
      ? {
          refChosenLogps: examples.map((e) => e.refChosenLogps as number),
          refRejectedLogps: examples.map((e) => e.refRejectedLogps as number),
        }
      : {}),
    inputIds: sides.map((side) => pad(side.ids, padTokenId)),
    attentionMask: sides.map((side) =>
      pad(
        side.ids.map(() => 1),
        0,
      ),
    ),
    completionMask: sides.map((side) => pad(side.mask, 0)),
    indices: examples.map((example) => example.index),
  };
}

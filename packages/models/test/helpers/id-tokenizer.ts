import { SPECIFICATION_VERSION, type Tokenizer } from '@trl/core';

/** A tokenizer whose text for id n is `<n>`: enough to exercise stop strings with any model. */
export function idTokenizer(vocabSize: number): Tokenizer {
  const decode = (ids: readonly number[]) => ids.map((id) => `<${id}>`).join('');
  return {
    specificationVersion: SPECIFICATION_VERSION,
    vocabSize,
    eosTokenId: undefined,
    bosTokenId: undefined,
    padTokenId: undefined,
    paddingSide: 'left',
    specialTokenIds: new Set(),
    encode: (text) => [...text.matchAll(/<(\d+)>/g)].map((m) => Number(m[1])),
    decode,
    encodeBatch: () => {
      throw new Error('not needed');
    },
    decodeBatch: (rows) => rows.map(decode),
    tokenToId: () => undefined,
  };
}

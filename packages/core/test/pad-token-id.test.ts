import { describe, expect, it } from 'vitest';
import { resolvePadTokenId } from '../src/data/index';

describe('resolvePadTokenId', () => {
  it('falls back pad → tokenizer eos → model eos → 0', () => {
    expect(resolvePadTokenId({ padTokenId: 5, eosTokenId: 7 }, { eosTokenId: 9 })).toBe(5);
    expect(resolvePadTokenId({ padTokenId: undefined, eosTokenId: 7 }, { eosTokenId: 9 })).toBe(7);
    expect(resolvePadTokenId({ padTokenId: undefined, eosTokenId: undefined }, { eosTokenId: 9 })).toBe(9);
    expect(resolvePadTokenId(undefined, { eosTokenId: 9 })).toBe(9);
    expect(resolvePadTokenId(undefined)).toBe(0);
  });

  it('keeps a pad id of 0 (not treated as missing)', () => {
    expect(resolvePadTokenId({ padTokenId: 0, eosTokenId: 7 })).toBe(0);
  });
});

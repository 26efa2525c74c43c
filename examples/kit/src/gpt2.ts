import type { Tokenizer } from '@trl/core';
import { type Gpt2ConfigInput, Gpt2LMHeadModel } from '@trl/models';

/**
 * A fresh GPT-2 of `shape` sized to `tokenizer`: its vocabulary, and its eos id as both bos and eos
 * (GPT-2's convention), plus any `extra` config fields (e.g. `pad_token_id`), initialised from `seed`.
 */
export function createGpt2(
  shape: Gpt2ConfigInput,
  tokenizer: Pick<Tokenizer, 'vocabSize' | 'eosTokenId'>,
  seed: number,
  extra: Gpt2ConfigInput = {},
): Gpt2LMHeadModel {
  return Gpt2LMHeadModel.create(
    {
      ...shape,
      vocab_size: tokenizer.vocabSize,
      bos_token_id: tokenizer.eosTokenId,
      eos_token_id: tokenizer.eosTokenId,
      ...extra,
    },
    { seed },
  );
}

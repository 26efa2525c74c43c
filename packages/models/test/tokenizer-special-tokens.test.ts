import { describe, expect, it } from 'vitest';
import { createByteLevelTokenizer, HuggingFaceTokenizer } from '../src/tokenizer/index';

function byteLevelJson() {
  return createByteLevelTokenizer({ specialTokens: [] }).toFiles().tokenizerJson;
}

describe('special tokens from tokenizer_config.json and special_tokens_map.json', () => {
  it('lets tokenizer_config.json win and special_tokens_map.json fill the gaps, in string or dict form', () => {
    const tokenizer = new HuggingFaceTokenizer({
      tokenizerJson: byteLevelJson(),
      tokenizerConfig: { eos_token: { content: '</s>', special: true }, pad_token: null },
      specialTokensMap: { eos_token: '<ignored>', bos_token: '<s>', pad_token: '<pad>' },
    });
    expect(tokenizer.eosToken).toBe('</s>');
    expect(tokenizer.bosToken).toBe('<s>');
    expect(tokenizer.padToken).toBe('<pad>');
    // Role tokens missing from the vocabulary are appended as new special ids (bos, eos, unk, pad, ... order).
    expect([tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId]).toEqual([256, 257, 258]);
    expect(tokenizer.tokenToId('<ignored>')).toBeUndefined();
    expect(tokenizer.vocabSize).toBe(259);
    expect([...tokenizer.specialTokenIds].sort()).toEqual([256, 257, 258]);
    expect(tokenizer.encode('<s>hi</s>')).toEqual([256, 104, 105, 257]);
  });

  it('adds tokens listed in added_tokens_decoder but missing from tokenizer.json', () => {
    const tokenizer = new HuggingFaceTokenizer({
      tokenizerJson: byteLevelJson(),
      tokenizerConfig: {
        added_tokens_decoder: { '256': { content: '<|tool|>', special: false, normalized: false } },
      },
    });
    expect(tokenizer.tokenToId('<|tool|>')).toBe(256);
    expect(tokenizer.encode('a<|tool|>')).toEqual([97, 256]);
    expect(tokenizer.specialTokenIds.has(256)).toBe(false);
  });

  it('takes additional_special_tokens from both files', () => {
    const tokenizer = new HuggingFaceTokenizer({
      tokenizerJson: byteLevelJson(),
      tokenizerConfig: { additional_special_tokens: ['<a>'] },
      specialTokensMap: { additional_special_tokens: [{ content: '<b>' }, '<a>'] },
    });
    expect(tokenizer.additionalSpecialTokens).toEqual(['<a>', '<b>']);
    expect(tokenizer.decode(tokenizer.encode('<a>x<b>'), { skipSpecialTokens: true })).toBe('x');
  });

  it('reads padding_side and lets the paddingSide option override it', () => {
    const json = byteLevelJson();
    expect(
      new HuggingFaceTokenizer({ tokenizerJson: json, tokenizerConfig: { padding_side: 'left' } })
        .paddingSide,
    ).toBe('left');
    expect(
      new HuggingFaceTokenizer({
        tokenizerJson: json,
        tokenizerConfig: { padding_side: 'left' },
        paddingSide: 'right',
      }).paddingSide,
    ).toBe('right');
  });

  it('applies clean_up_tokenization_spaces to BPE only with the override, as transformers 5', () => {
    const json = byteLevelJson();
    const plain = new HuggingFaceTokenizer({ tokenizerJson: json });
    // transformers 5 ignores the flag for BPE models: the cleanup would delete real spaces.
    const ignored = new HuggingFaceTokenizer({
      tokenizerJson: json,
      tokenizerConfig: { clean_up_tokenization_spaces: true },
    });
    const forced = new HuggingFaceTokenizer({
      tokenizerJson: json,
      tokenizerConfig: {
        clean_up_tokenization_spaces: true,
        clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output: true,
      },
    });
    const text = "Hello , world . I do n't";
    expect(plain.decode(plain.encode(text))).toBe(text);
    expect(ignored.decode(ignored.encode(text))).toBe(text);
    expect(forced.decode(forced.encode(text))).toBe("Hello, world. I don't");
    // The configured value is still what gets saved.
    expect(ignored.toFiles().tokenizerConfig['clean_up_tokenization_spaces']).toBe(true);
  });
});

describe('addTokens and setSpecialTokens', () => {
  it('registers protocol markers as single ids only once they are added', () => {
    const tokenizer = createByteLevelTokenizer();
    const before = tokenizer.encode('<request><Calculator>1+1<call>');
    expect(before.length).toBe('<request><Calculator>1+1<call>'.length);

    expect(tokenizer.addTokens(['<request>', '<Calculator>', '<call>'])).toBe(3);
    const request = tokenizer.tokenToId('<request>');
    const calculator = tokenizer.tokenToId('<Calculator>');
    const call = tokenizer.tokenToId('<call>');
    expect([request, calculator, call]).toEqual([258, 259, 260]);
    expect(tokenizer.encode('<request><Calculator>1+1<call>')).toEqual([258, 259, 49, 43, 49, 260]);
    expect(tokenizer.vocabSize).toBe(261);
    // Plain added tokens are not special: skipSpecialTokens keeps them.
    expect(tokenizer.decode([258, 49, 256], { skipSpecialTokens: true })).toBe('<request>1');
  });

  it('marks special added tokens so decode can skip them, and reports only new ids', () => {
    const tokenizer = createByteLevelTokenizer();
    expect(tokenizer.addTokens(['<submit>', '<submit>'], { special: true })).toBe(1);
    const submit = tokenizer.tokenToId('<submit>') as number;
    expect(tokenizer.specialTokenIds.has(submit)).toBe(true);
    expect(tokenizer.additionalSpecialTokens).toEqual(['<submit>']);
    expect(tokenizer.decode(tokenizer.encode('42<submit>'), { skipSpecialTokens: true })).toBe('42');
    // Adding an existing token again, or a vocabulary token, creates no new id.
    expect(tokenizer.addTokens(['<submit>'])).toBe(0);
    expect(tokenizer.addTokens(['<|pad|>'], { special: true })).toBe(0);
  });

  it('sets the pad token to eos as TRL does for GPT-2, or to a new token', () => {
    const tokenizer = createByteLevelTokenizer({ specialTokens: ['<|endoftext|>'] });
    expect(tokenizer.padTokenId).toBeUndefined();
    expect(tokenizer.setSpecialTokens({ pad: tokenizer.eosToken })).toBe(0);
    expect(tokenizer.padTokenId).toBe(256);
    expect(tokenizer.setSpecialTokens({ pad: '<|pad|>' })).toBe(1);
    expect(tokenizer.padTokenId).toBe(257);
    expect(tokenizer.specialTokenIds.has(257)).toBe(true);
  });

  it('never mutates the tokenizer.json value it was built from', () => {
    const json = byteLevelJson();
    const snapshot = structuredClone(json);
    const tokenizer = new HuggingFaceTokenizer({
      tokenizerJson: json,
      tokenizerConfig: { eos_token: '</s>' },
    });
    tokenizer.addTokens(['<x>'], { special: true });
    tokenizer.setSpecialTokens({ pad: '<pad>' });
    expect(json).toEqual(snapshot);
    expect(tokenizer.toFiles().tokenizerJson.added_tokens.map((token) => token.content)).toEqual([
      '</s>',
      '<x>',
      '<pad>',
    ]);
  });

  it('rejects empty tokens and unknown roles', () => {
    const tokenizer = createByteLevelTokenizer();
    expect(() => tokenizer.addTokens([''])).toThrow(/addTokens: tokens must contain non-empty strings/);
    // @ts-expect-error testing a bad runtime value
    expect(() => tokenizer.setSpecialTokens({ padding: '<p>' })).toThrow(/unknown role "padding"/);
    expect(() => tokenizer.setSpecialTokens({ pad: '' })).toThrow(
      /setSpecialTokens: pad must contain non-empty strings/,
    );
  });
});

describe('bad tokenizer files', () => {
  it('names tokenizer.json and the field when it is malformed', () => {
    expect(
      () => new HuggingFaceTokenizer({ tokenizerJson: { added_tokens: [] }, source: 'my-model' }),
    ).toThrow(/my-model: tokenizer\.json is not a valid Hugging Face tokenizer file: model:/);
    expect(
      () =>
        new HuggingFaceTokenizer({
          tokenizerJson: { ...byteLevelJson(), added_tokens: [{ id: -1, content: 'x' }] },
          source: 'my-model',
        }),
    ).toThrow(/tokenizer\.json .*added_tokens\.0\.id/);
    expect(() => new HuggingFaceTokenizer({ tokenizerJson: [1, 2], source: 'my-model' })).toThrow(
      /tokenizer\.json/,
    );
  });

  it('names tokenizer.json when the tokenizers library rejects a component', () => {
    const json = { ...byteLevelJson(), pre_tokenizer: { type: 'NoSuchPreTokenizer' } };
    expect(() => new HuggingFaceTokenizer({ tokenizerJson: json, source: 'my-model' })).toThrow(
      /my-model: tokenizer\.json could not be loaded: .*NoSuchPreTokenizer/,
    );
  });

  it('names tokenizer_config.json when it has a bad padding side', () => {
    expect(
      () =>
        new HuggingFaceTokenizer({
          tokenizerJson: byteLevelJson(),
          tokenizerConfig: { padding_side: 'up' },
          source: 'm',
        }),
    ).toThrow(/m: tokenizer_config\.json is not a valid .*padding_side/);
  });
});

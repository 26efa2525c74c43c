import { TrlError } from '@trl/core';
import type { AddedTokenJson, TokenizerJson } from './tokenizer-files';

/** The vocabulary file of a BERT-style tokenizer folder, one token per line, the line number its id. */
export const WORDPIECE_VOCAB_FILE = 'vocab.txt';

/** `tokenizer_class` values whose vocab.txt folders {@link wordPieceTokenizerJson} reads. */
const BERT_STYLE_CLASSES = [
  'BertTokenizer',
  'BertTokenizerFast',
  'DistilBertTokenizer',
  'DistilBertTokenizerFast',
];

/** The BERT roles with transformers' default token for each. */
const DEFAULT_SPECIAL_TOKENS = {
  pad_token: '[PAD]',
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  mask_token: '[MASK]',
} as const;

/**
 * The tokenizer.json transformers' `BertTokenizer` builds from a `vocab.txt` folder: BERT's
 * normalizer (lower-casing and accent stripping per `do_lower_case` and `strip_accents`, CJK
 * characters split), its pre-tokenizer, WordPiece with `##` continuations, and the
 * `[CLS] A [SEP] (B [SEP])` template with token types 0 and 1. The special tokens of
 * `tokenizerConfig` become special added tokens. `source` names the folder in errors.
 */
export function wordPieceTokenizerJson(
  vocabText: string,
  tokenizerConfig: Readonly<Record<string, unknown>>,
  source: string,
): TokenizerJson {
  const tokenizerClass = tokenizerConfig['tokenizer_class'];
  if (typeof tokenizerClass === 'string' && !BERT_STYLE_CLASSES.includes(tokenizerClass)) {
    throw new TrlError(
      'unsupported-file',
      `${source}: tokenizer_class "${tokenizerClass}" has no tokenizer.json, and only BERT-style vocab.txt folders ` +
        `(${BERT_STYLE_CLASSES.join(', ')}) can be built without one; save it with a fast tokenizer.`,
    );
  }
  const vocab = parseVocab(vocabText, source);
  const special = wordPieceSpecialTokens(tokenizerConfig);
  let nextId = Object.keys(vocab).length;
  const addedTokens: AddedTokenJson[] = Object.values(special).map((content) => ({
    // `in` on a prototype-free object: "constructor" or "toString" must not look like vocabulary.
    id: content in vocab ? vocab[content]! : nextId++,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const idOf = (content: string) => addedTokens.find((token) => token.content === content)!.id;
  const lowercase = flag(tokenizerConfig, 'do_lower_case', true, source);
  const stripAccents = tokenizerConfig['strip_accents'] ?? null;
  if (stripAccents !== null && typeof stripAccents !== 'boolean') {
    throw new TrlError(
      'invalid-file',
      `${source}: tokenizer_config.json strip_accents must be true, false or null, got ${JSON.stringify(stripAccents)}.`,
    );
  }
  const { cls_token: cls, sep_token: sep } = special;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: flag(tokenizerConfig, 'tokenize_chinese_chars', true, source),
      strip_accents: stripAccents,
      lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: special.unk_token,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialPiece(cls, 0), sequencePiece('A', 0), specialPiece(sep, 0)],
      pair: [
        specialPiece(cls, 0),
        sequencePiece('A', 0),
        specialPiece(sep, 0),
        sequencePiece('B', 1),
        specialPiece(sep, 1),
      ],
      special_tokens: {
        [cls]: { id: cls, ids: [idOf(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [idOf(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  };
}

/**
 * The special tokens of a BERT-style vocab.txt folder: tokenizer_config.json's, or BertTokenizer's
 * defaults ([PAD], [UNK], [CLS], [SEP], [MASK]) for the roles it leaves out or when there is no config.
 */
export function wordPieceSpecialTokens(
  tokenizerConfig: Readonly<Record<string, unknown>>,
): Record<keyof typeof DEFAULT_SPECIAL_TOKENS, string> {
  return Object.fromEntries(
    Object.entries(DEFAULT_SPECIAL_TOKENS).map(([key, fallback]) => [
      key,
      tokenContent(tokenizerConfig[key]) ?? fallback,
    ]),
  ) as Record<keyof typeof DEFAULT_SPECIAL_TOKENS, string>;
}

/**
 * Token → id from vocab.txt lines (a later duplicate wins, as transformers' dict does). The map has
 * no prototype so lines such as `__proto__` or `constructor` are ordinary keys.
 */
function parseVocab(text: string, source: string): Record<string, number> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const vocab = Object.create(null) as Record<string, number>;
  lines.forEach((line, id) => {
    vocab[line.endsWith('\r') ? line.slice(0, -1) : line] = id;
  });
  if (lines.length === 0) throw new TrlError('invalid-file', `${source}: ${WORDPIECE_VOCAB_FILE} is empty.`);
  return vocab;
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { content?: unknown }).content === 'string'
  ) {
    return (value as { content: string }).content;
  }
  return undefined;
}

function flag(
  config: Readonly<Record<string, unknown>>,
  key: string,
  fallback: boolean,
  source: string,
): boolean {
  const value = config[key] ?? fallback;
  if (typeof value !== 'boolean') {
    throw new TrlError(
      'invalid-file',
      `${source}: tokenizer_config.json ${key} must be true or false, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function specialPiece(id: string, typeId: number) {
  return { SpecialToken: { id, type_id: typeId } };
}

function sequencePiece(id: 'A' | 'B', typeId: number) {
  return { Sequence: { id, type_id: typeId } };
}

import type {
  BatchEncodeOptions,
  BatchEncoding,
  DecodeOptions,
  EncodeOptions,
  PaddingSide,
  Tokenizer,
} from '@trl/spec';

/** Options of the test tokenizer. */
export interface ByteTokenizerOptions {
  /** Id of the eos token (its text is `<|endoftext|>`). Default 256. */
  eosTokenId?: number;
  /**
   * Extra ids that decode to a multi-byte text but that `encode` never produces: they let tests
   * check that sampled tokens are kept as sampled rather than re-encoded.
   */
  aliases?: Readonly<Record<number, string>>;
  /**
   * Vocabulary size, to match a model's embedding: ids from 256 up that are neither eos nor an alias
   * decode to one private-use character each (U+E000 + id), so a real model's samples stay decodable.
   */
  vocabSize?: number;
}

/** Text of the eos token. */
export const EOS_TEXT = '<|endoftext|>';

/**
 * A byte-level tokenizer implementing the Tokenizer spec: ids 0–255 are UTF-8 bytes, one id is eos
 * (written `<|endoftext|>` in text, as GPT-2's), plus optional alias ids.
 */
export class ByteTokenizer implements Tokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly bosTokenId: number;
  readonly padTokenId = undefined;
  readonly paddingSide: PaddingSide = 'left';
  readonly specialTokenIds: ReadonlySet<number>;
  /** Every `encode` call's input, so tests can check what was tokenized on its own. */
  readonly encoded: string[] = [];
  private readonly aliases: Map<number, Uint8Array>;

  constructor(options: ByteTokenizerOptions = {}) {
    this.eosTokenId = options.eosTokenId ?? 256;
    this.bosTokenId = this.eosTokenId;
    this.specialTokenIds = new Set([this.eosTokenId]);
    const encoder = new TextEncoder();
    this.aliases = new Map(
      Object.entries(options.aliases ?? {}).map(([id, text]) => [Number(id), encoder.encode(text)]),
    );
    this.vocabSize = Math.max(
      options.vocabSize ?? 0,
      this.eosTokenId + 1,
      256,
      ...[...this.aliases.keys()].map((id) => id + 1),
    );
  }

  encode(text: string, _options?: EncodeOptions): number[] {
    this.encoded.push(text);
    const encoder = new TextEncoder();
    const ids: number[] = [];
    text.split(EOS_TEXT).forEach((part, index) => {
      if (index > 0) ids.push(this.eosTokenId);
      ids.push(...encoder.encode(part));
    });
    return ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const bytes: number[] = [];
    let text = '';
    const flush = () => {
      text += new TextDecoder().decode(new Uint8Array(bytes));
      bytes.length = 0;
    };
    for (const id of ids) {
      if (id === this.eosTokenId) {
        flush();
        if (!options.skipSpecialTokens) text += EOS_TEXT;
      } else if (this.aliases.has(id)) {
        bytes.push(...this.aliases.get(id)!);
      } else if (id >= 0 && id < 256) {
        bytes.push(id);
      } else if (id >= 256 && id < this.vocabSize) {
        flush();
        text += String.fromCodePoint(0xe000 + id);
      } else {
        throw new Error(`ByteTokenizer: unknown token id ${id}`);
      }
    }
    flush();
    return text;
  }

  encodeBatch(texts: readonly string[], _options?: BatchEncodeOptions): BatchEncoding {
    const rows = texts.map((text) => this.encode(text));
    const width = Math.max(0, ...rows.map((row) => row.length));
    return {
      inputIds: rows.map((row) => [...new Array(width - row.length).fill(this.eosTokenId), ...row]),
      attentionMask: rows.map((row) => [...new Array(width - row.length).fill(0), ...row.map(() => 1)]),
    };
  }

  decodeBatch(ids: readonly (readonly number[])[], options?: DecodeOptions): string[] {
    return ids.map((row) => this.decode(row, options));
  }

  tokenToId(token: string): number | undefined {
    if (token === EOS_TEXT) return this.eosTokenId;
    const bytes = new TextEncoder().encode(token);
    return bytes.length === 1 ? bytes[0] : undefined;
  }
}

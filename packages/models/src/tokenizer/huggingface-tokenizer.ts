import { Tokenizer as TokenizersJsTokenizer } from '@huggingface/tokenizers';
import {
  type BatchEncodeOptions,
  type BatchEncoding,
  type DecodeOptions,
  type EncodeOptions,
  type PaddingSide,
  SPECIFICATION_VERSION,
  type Tokenizer,
  TrlError,
} from '@trl/core';
import { assertPaddingSide, assertTokenStrings, describeValue } from './argument-checks';
import { bosEosPostProcessor, readBosEosFlags } from './bos-eos-template';
import { fixByteFallbackDecoders } from './byte-fallback';
import type { ApplyChatTemplateOptions, ChatMessage } from './chat-messages';
import {
  type ChatTemplates,
  chatTemplatesConfigValue,
  readChatTemplates,
  renderTokenizerChat,
} from './chat-template';
import { batchEncodeOptionsSchema, padBatch } from './pad-batch';
import { savePretrainedTokenizer } from './save-pretrained';
import {
  allSpecialTokenContents,
  resolveSpecialTokenRoles,
  SPECIAL_TOKEN_ROLE_KEYS,
  type SpecialTokenRole,
  type SpecialTokenRoles,
  specialTokensMapOf,
} from './special-tokens';
import {
  type AddedTokenJson,
  parseSpecialTokensMap,
  parseTokenizerConfig,
  parseTokenizerJson,
  type TokenizerConfigJson,
  type TokenizerJson,
} from './tokenizer-files';

/** The contents of a tokenizer directory, already parsed from JSON. */
export interface HuggingFaceTokenizerInit {
  /** tokenizer.json contents. */
  tokenizerJson: unknown;
  /** tokenizer_config.json contents, when the directory has one. */
  tokenizerConfig?: unknown;
  /** special_tokens_map.json contents, when the directory has one. */
  specialTokensMap?: unknown;
  /** Overrides `padding_side` from tokenizer_config.json. Default `right`, as transformers. */
  paddingSide?: PaddingSide;
  /** Where the files came from, for error messages (e.g. a directory or repo id). */
  source?: string;
  /** Templates from chat_template.jinja (and named .jinja files), when present; win over tokenizer_config's `chat_template`. */
  chatTemplate?: ChatTemplates;
}

/** Options of {@link HuggingFaceTokenizer.addTokens}. */
export interface AddTokensOptions {
  /** Register the tokens as special: they are skipped by `skipSpecialTokens` and saved as additional special tokens. */
  special?: boolean;
}

/** Options of {@link HuggingFaceTokenizer.encodeWithTokenTypes}. */
export interface TokenTypesEncodeOptions extends EncodeOptions {
  /** The second text of a pair (a BERT "sentence B"). */
  textPair?: string;
}

/** Ids and segment ids of one encoded text or pair. */
export interface TokenTypesEncoding {
  /** Token ids, special tokens included. */
  ids: number[];
  /** 0 for the first text (and its special tokens), 1 for the second. */
  tokenTypeIds: number[];
}

/** The three files of a saved tokenizer, as JSON values. */
export interface TokenizerFiles {
  /** tokenizer.json. */
  tokenizerJson: TokenizerJson;
  /** tokenizer_config.json. */
  tokenizerConfig: Record<string, unknown>;
  /** special_tokens_map.json. */
  specialTokensMap: Record<string, unknown>;
}

/**
 * A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) behaving as transformers' fast
 * tokenizers do, with tokenization itself done by `@huggingface/tokenizers`.
 */
export class HuggingFaceTokenizer implements Tokenizer {
  /** Spec version this tokenizer implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  private readonly json: TokenizerJson;
  private readonly config: TokenizerConfigJson;
  private readonly roles: SpecialTokenRoles;
  private readonly source: string;
  private readonly cleanUpTokenizationSpaces: boolean;
  private readonly applyCleanUp: boolean;
  private readonly addBosEos: { addBos: boolean | undefined; addEos: boolean | undefined };
  private side: PaddingSide;
  private engine: TokenizersJsTokenizer;
  private specialIds: ReadonlySet<number> = new Set();
  private readonly templates: ChatTemplates | undefined;
  private readonly templateFromFile: boolean;

  /** Validates the parsed files; errors name `init.source` and the offending file. */
  constructor(init: HuggingFaceTokenizerInit) {
    this.source = init.source ?? 'tokenizer';
    // Parsing copies `added_tokens`, the only part later mutated, so the caller's object stays untouched.
    this.json = parseTokenizerJson(init.tokenizerJson, `${this.source}: tokenizer.json`);
    this.config = parseTokenizerConfig(init.tokenizerConfig ?? {}, `${this.source}: tokenizer_config.json`);
    const specialTokensMap = parseSpecialTokensMap(
      init.specialTokensMap ?? {},
      `${this.source}: special_tokens_map.json`,
    );
    this.roles = resolveSpecialTokenRoles(this.config, specialTokensMap);
    this.side = assertPaddingSide(init.paddingSide ?? this.config.padding_side ?? 'right', 'paddingSide');
    // transformers now defaults to false; true would turn "a ." into "a." and break decode(encode(s)) === s.
    this.cleanUpTokenizationSpaces = this.config.clean_up_tokenization_spaces ?? false;
    // transformers 5 ignores the flag for BPE models (it would eat real spaces before punctuation)
    // unless the config insists with the long-named override.
    this.applyCleanUp =
      this.cleanUpTokenizationSpaces &&
      (this.json.model.type !== 'BPE' ||
        this.config['clean_up_tokenization_spaces_for_bpe_even_though_it_will_corrupt_output'] === true);
    this.addBosEos = readBosEosFlags(this.config, `${this.source}: tokenizer_config.json`);
    this.templates = readChatTemplates(
      this.config.chat_template,
      init.chatTemplate,
      `${this.source}: tokenizer_config.json`,
    );
    this.templateFromFile = init.chatTemplate !== undefined;
    this.mergeAddedTokensDecoder();
    this.engine = this.buildEngine();
    const tokensChanged = this.registerTokens(allSpecialTokenContents(this.roles), true);
    if (this.updatePostProcessor() || tokensChanged) this.rebuild();
    else this.specialIds = this.collectSpecialIds();
  }

  /** Number of token ids, including added tokens (transformers' `len(tokenizer)`). */
  get vocabSize(): number {
    return this.engine.model?.vocab.length ?? 0;
  }

  /** End-of-sequence token id, or undefined. */
  get eosTokenId(): number | undefined {
    return this.roleId('eos');
  }

  /** Beginning-of-sequence token id, or undefined. */
  get bosTokenId(): number | undefined {
    return this.roleId('bos');
  }

  /** Padding token id, or undefined (`encodeBatch` then pads with eos, as TRL configures GPT-2). */
  get padTokenId(): number | undefined {
    return this.roleId('pad');
  }

  /** End-of-sequence token string, or undefined. */
  get eosToken(): string | undefined {
    return this.roles.eos;
  }

  /** Beginning-of-sequence token string, or undefined. */
  get bosToken(): string | undefined {
    return this.roles.bos;
  }

  /** Padding token string, or undefined. */
  get padToken(): string | undefined {
    return this.roles.pad;
  }

  /** Special tokens that have no role (e.g. protocol markers registered with `addTokens`). */
  get additionalSpecialTokens(): readonly string[] {
    return [...this.roles.additional];
  }

  /** Default padding side of `encodeBatch`; set it to `left` for batched generation. */
  get paddingSide(): PaddingSide {
    return this.side;
  }

  set paddingSide(side: PaddingSide) {
    this.side = assertPaddingSide(side, 'paddingSide');
  }

  /** Ids of all special tokens: role tokens and added tokens marked special. */
  get specialTokenIds(): ReadonlySet<number> {
    return this.specialIds;
  }

  /** The checkpoint's chat template, or its named templates (`default`, `tool_use`, ...); undefined for base models. */
  get chatTemplate(): ChatTemplates | undefined {
    return this.templates;
  }

  /**
   * Renders a conversation with the checkpoint's Jinja chat template, as transformers'
   * `apply_chat_template`: the template sees `messages`, `tools`, `documents`,
   * `add_generation_prompt`, the special tokens (`bos_token`, `eos_token`, ...) and any extra
   * option (e.g. `enable_thinking`). With `tokenize` the text is encoded without adding special
   * tokens, since the template already wrote them.
   */
  applyChatTemplate(
    messages: readonly ChatMessage[],
    options: ApplyChatTemplateOptions & { tokenize: true },
  ): number[];
  applyChatTemplate(
    messages: readonly ChatMessage[],
    options?: ApplyChatTemplateOptions & { tokenize?: false },
  ): string;
  applyChatTemplate(messages: readonly ChatMessage[], options?: ApplyChatTemplateOptions): string | number[];
  applyChatTemplate(
    messages: readonly ChatMessage[],
    options: ApplyChatTemplateOptions = {},
  ): string | number[] {
    const text = renderTokenizerChat(messages, options, {
      templates: this.templates,
      roles: this.roles,
      source: this.source,
    });
    return options.tokenize === true ? this.encode(text, { addSpecialTokens: false }) : text;
  }

  /**
   * Text to token ids. Added and special tokens in the text are matched as single ids.
   * `addSpecialTokens` (default true, as transformers) applies the post-processor; GPT-2-style
   * byte-level tokenizers add nothing either way.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string')
      throw new TrlError('invalid-argument', `encode: text must be a string, got ${describeValue(text)}.`);
    // No shortcut for '': tokenizers that add bos still give [bos], as transformers does.
    return this.engine.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  /**
   * A text, or a pair of texts, to ids with their segment ids, as transformers'
   * `tokenizer(text, text_pair)` gives a BERT-style classifier: with `[CLS] a [SEP] b [SEP]` the
   * second text and its `[SEP]` get token type 1. `addSpecialTokens` defaults to true.
   */
  encodeWithTokenTypes(text: string, options: TokenTypesEncodeOptions = {}): TokenTypesEncoding {
    if (typeof text !== 'string')
      throw new TrlError(
        'invalid-argument',
        `encodeWithTokenTypes: text must be a string, got ${describeValue(text)}.`,
      );
    const { textPair } = options;
    if (textPair !== undefined && typeof textPair !== 'string')
      throw new TrlError(
        'invalid-argument',
        `encodeWithTokenTypes: textPair must be a string, got ${describeValue(textPair)}.`,
      );
    const encoding = this.engine.encode(text, {
      text_pair: textPair ?? null,
      add_special_tokens: options.addSpecialTokens ?? true,
      return_token_type_ids: true,
    });
    return { ids: encoding.ids, tokenTypeIds: encoding.token_type_ids };
  }

  /** Token ids to text; `skipSpecialTokens` drops every id in `specialTokenIds`. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    this.assertTokenIds(ids, 'decode: ids');
    const kept = options.skipSpecialTokens ? ids.filter((id) => !this.specialIds.has(id)) : [...ids];
    if (kept.length === 0) return '';
    return this.engine.decode(kept, {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: this.applyCleanUp,
    });
  }

  /**
   * Many texts to a padded batch: truncated to `maxLength` (keeping the start, and the special
   * tokens the post-processor adds, such as BERT's `[CLS]`/`[SEP]`, as transformers truncates), padded to the longest
   * row or to `maxLength` on the tokenizer's `paddingSide` unless overridden. Pads with the pad token,
   * or with eos when there is none (what TRL sets up for GPT-2).
   */
  encodeBatch(texts: readonly string[], options: BatchEncodeOptions = {}): BatchEncoding {
    if (!Array.isArray(texts))
      throw new TrlError(
        'invalid-argument',
        `encodeBatch: texts must be an array of strings, got ${describeValue(texts)}.`,
      );
    const parsed = batchEncodeOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrlError(
        'invalid-value',
        `encodeBatch: option ${issue?.path.join('.')} is invalid: ${issue?.message}.`,
      );
    }
    const rows = texts.map((text, index) => {
      if (typeof text !== 'string')
        throw new TrlError(
          'invalid-argument',
          `encodeBatch: texts[${index}] must be a string, got ${describeValue(text)}.`,
        );
      return this.encodeWithin(text, parsed.data.maxLength, parsed.data.addSpecialTokens ?? true);
    });
    return padBatch(rows, {
      padding: parsed.data.padding,
      maxLength: parsed.data.maxLength,
      paddingSide: parsed.data.paddingSide ?? this.side,
      // No 0 fallback here (unlike resolvePadTokenId): padBatch explains a missing pad id instead.
      padTokenId: this.padTokenId ?? this.eosTokenId,
    });
  }

  /** Many id rows to texts. */
  decodeBatch(ids: readonly (readonly number[])[], options: DecodeOptions = {}): string[] {
    if (!Array.isArray(ids))
      throw new TrlError(
        'invalid-argument',
        `decodeBatch: ids must be an array of id arrays, got ${describeValue(ids)}.`,
      );
    return ids.map((row) => this.decode(row, options));
  }

  /** The id of a token string, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.engine.token_to_id(token);
  }

  /** The token string of an id, or undefined when the id is out of range. */
  idToToken(id: number): string | undefined {
    return this.engine.id_to_token(id);
  }

  /**
   * Adds tokens matched as single ids wherever they appear in text (transformers' `add_tokens`).
   * Tokens already in the vocabulary keep their id. Returns how many new ids were created, the amount
   * a model's embedding matrix must grow by.
   */
  addTokens(tokens: readonly string[], options: AddTokensOptions = {}): number {
    assertTokenStrings(tokens, 'addTokens: tokens');
    const special = options.special ?? false;
    const sizeBefore = this.vocabSize;
    if (special) {
      for (const token of tokens) {
        if (!allSpecialTokenContents(this.roles).includes(token)) this.roles.additional.push(token);
      }
    }
    this.registerTokens(tokens, special);
    this.rebuild();
    return this.vocabSize - sizeBefore;
  }

  /**
   * Assigns special-token roles (e.g. `{ pad: '<|pad|>' }`, or `{ pad: tokenizer.eosToken }` as TRL
   * does for GPT-2), adding tokens that are not in the vocabulary yet. Returns how many new ids were created.
   */
  setSpecialTokens(roles: Partial<Record<SpecialTokenRole, string>>): number {
    const sizeBefore = this.vocabSize;
    const contents: string[] = [];
    for (const [role, content] of Object.entries(roles) as [string, string | undefined][]) {
      if (!(role in SPECIAL_TOKEN_ROLE_KEYS)) {
        throw new TrlError(
          'invalid-argument',
          `setSpecialTokens: unknown role "${role}"; use one of ${Object.keys(SPECIAL_TOKEN_ROLE_KEYS).join(', ')}.`,
        );
      }
      if (content === undefined) continue;
      assertTokenStrings([content], `setSpecialTokens: ${role}`);
      this.roles[role as SpecialTokenRole] = content;
      contents.push(content);
    }
    this.registerTokens(contents, true);
    this.updatePostProcessor();
    this.rebuild();
    return this.vocabSize - sizeBefore;
  }

  /** The tokenizer as the JSON of tokenizer.json, tokenizer_config.json and special_tokens_map.json. */
  toFiles(): TokenizerFiles {
    const addedTokensDecoder: Record<string, Omit<AddedTokenJson, 'id'>> = {};
    for (const { id, ...token } of [...this.json.added_tokens].sort((a, b) => a.id - b.id)) {
      addedTokensDecoder[String(id)] = token;
    }
    const specialTokensMap = specialTokensMapOf(this.roles);
    return {
      tokenizerJson: structuredClone(this.json),
      tokenizerConfig: {
        tokenizer_class: 'PreTrainedTokenizerFast',
        ...this.config,
        // Saved back into the config (transformers' legacy layout) so a loaded .jinja template is not lost.
        ...(this.templateFromFile ? { chat_template: chatTemplatesConfigValue(this.templates) } : {}),
        ...Object.fromEntries(Object.values(SPECIAL_TOKEN_ROLE_KEYS).map((key) => [key, null])),
        ...specialTokensMap,
        padding_side: this.side,
        clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces,
        added_tokens_decoder: addedTokensDecoder,
      },
      specialTokensMap,
    };
  }

  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into `directory`, each atomically. */
  async savePretrained(directory: string): Promise<void> {
    await savePretrainedTokenizer(directory, this.toFiles());
  }

  /**
   * The ids of `text` in at most `maxLength` tokens as transformers truncates: the text is cut and
   * the special tokens around it stay. A tokenizer that adds none (GPT-2) or whose special tokens do
   * not just surround the text is left to `padBatch`'s plain cut.
   */
  private encodeWithin(text: string, maxLength: number | undefined, addSpecialTokens: boolean): number[] {
    const full = this.encode(text, { addSpecialTokens });
    if (maxLength === undefined || full.length <= maxLength || !addSpecialTokens) return full;
    const content = this.encode(text, { addSpecialTokens: false });
    const added = full.length - content.length;
    if (added === 0 || added >= maxLength) return full;
    for (let start = 0; start <= added; start++) {
      if (content.every((id, i) => full[start + i] === id)) {
        return [
          ...full.slice(0, start),
          ...content.slice(0, maxLength - added),
          ...full.slice(start + content.length),
        ];
      }
    }
    return full;
  }

  private roleId(role: SpecialTokenRole): number | undefined {
    const content = this.roles[role];
    return content === undefined ? undefined : this.tokenToId(content);
  }

  /** tokenizer_config.json may list added tokens that tokenizer.json lacks; transformers adds them. */
  private mergeAddedTokensDecoder(): void {
    for (const [id, token] of Object.entries(this.config.added_tokens_decoder ?? {})) {
      if (this.json.added_tokens.some((existing) => existing.content === token.content)) continue;
      this.json.added_tokens.push({ ...token, id: Number(id) });
    }
  }

  /** Adds missing tokens to `added_tokens`; returns whether anything changed. */
  private registerTokens(contents: readonly string[], special: boolean): boolean {
    let changed = false;
    let nextId = Math.max(this.vocabSize, ...this.json.added_tokens.map((token) => token.id + 1));
    for (const content of contents) {
      const existing = this.json.added_tokens.find((token) => token.content === content);
      if (existing !== undefined) {
        if (special && !existing.special) {
          existing.special = true;
          changed = true;
        }
        continue;
      }
      const id = this.tokenToId(content) ?? nextId++;
      this.json.added_tokens.push({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: !special,
        special,
      });
      changed = true;
    }
    return changed;
  }

  /**
   * Installs the bos/eos template `add_bos_token` / `add_eos_token` ask for, as transformers does
   * on load and when special tokens change. Returns whether tokenizer.json's post-processor changed.
   */
  private updatePostProcessor(): boolean {
    const withId = (content: string | undefined) => {
      if (content === undefined) return undefined;
      const id =
        this.json.added_tokens.find((token) => token.content === content)?.id ?? this.tokenToId(content);
      return id === undefined ? undefined : { content, id };
    };
    const postProcessor = bosEosPostProcessor({
      ...this.addBosEos,
      bos: withId(this.roles.bos),
      eos: withId(this.roles.eos),
    });
    if (postProcessor === undefined) return false;
    if (JSON.stringify(postProcessor) === JSON.stringify(this.json.post_processor)) return false;
    this.json.post_processor = postProcessor;
    return true;
  }

  private rebuild(): void {
    this.engine = this.buildEngine();
    this.specialIds = this.collectSpecialIds();
  }

  private buildEngine(): TokenizersJsTokenizer {
    try {
      const engine = new TokenizersJsTokenizer(this.json, { ...this.config });
      fixByteFallbackDecoders(engine.decoder);
      return engine;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TrlError('invalid-file', `${this.source}: tokenizer.json could not be loaded: ${reason}.`);
    }
  }

  private collectSpecialIds(): ReadonlySet<number> {
    const ids = new Set<number>();
    for (const token of this.json.added_tokens) if (token.special) ids.add(token.id);
    for (const content of allSpecialTokenContents(this.roles)) {
      const id = this.tokenToId(content);
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  private assertTokenIds(ids: readonly number[], name: string): void {
    if (!Array.isArray(ids))
      throw new TrlError(
        'invalid-argument',
        `${name} must be an array of token ids, got ${describeValue(ids)}.`,
      );
    const size = this.vocabSize;
    for (let index = 0; index < ids.length; index++) {
      const id = ids[index];
      if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= size) {
        throw new TrlError(
          'invalid-argument',
          `${name}[${index}] = ${describeValue(id)} is not a token id of this tokenizer; ids are integers in [0, ${size}).`,
        );
      }
    }
  }
}

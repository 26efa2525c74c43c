import { type Tokenizer, TrlError } from '@trl/spec';
import { type DisplayOptions, formatHistoryText, formatHistoryTokens, formatLegend } from './format-history';
import { type HtmlOptions, toHTML } from './history-html';
import type { EndReason, HistorySegment, ToolCallRecord } from './history-types';

/** A `[start, end)` range into a history's text or tokens. */
export type Span = readonly [start: number, end: number];

/** The PPO view of one history: what the model was given, what followed, and which tokens it wrote. */
export interface QueryResponseTokens {
  /** The first segment's tokens (prompt + task). */
  query: number[];
  /** Every token after the query: model turns and tool answers. */
  response: number[];
  /** One entry per response token: 1 where the model wrote it, 0 for tool/system text. */
  mask: number[];
}

/**
 * The record of one episode: segments written by the system (prompt, tool answers) or by the model,
 * their text and token spans, the token mask PPO trains with, how the episode ended, its reward and
 * the log of tool calls. Tokens are stored as given — model tokens are never re-encoded.
 */
export class TextHistory {
  private readonly segmentList: HistorySegment[] = [];
  private textValue = '';
  private readonly tokenList: number[] = [];
  private readonly maskList: number[] = [];
  private readonly textSpanList: Span[] = [];
  private readonly tokenSpanList: Span[] = [];
  private readonly toolCallList: ToolCallRecord[] = [];

  /** True once the episode has ended, for whatever reason (see `endReason`). */
  completed = false;
  /** True when the history was cut at the length limit. */
  truncated = false;
  /** Why the episode ended; undefined while it runs. */
  endReason: EndReason | undefined = undefined;
  /** The reward the environment's reward function gave this history (0 until scored). */
  reward = 0;

  /**
   * Starts a history with its first segment, usually the prompt + task (a system segment).
   * @param text - the first segment's text.
   * @param tokenIds - its token ids (at least one).
   * @param system - whether the segment is system text (default true).
   */
  constructor(text: string, tokenIds: readonly number[], system = true) {
    this.appendSegment(text, tokenIds, system);
  }

  /** All segments, in order. The first is the query. */
  get segments(): readonly HistorySegment[] {
    return this.segmentList;
  }

  /** The whole text: the segments' texts concatenated. */
  get text(): string {
    return this.textValue;
  }

  /** All token ids, the segments' tokens concatenated. */
  get tokens(): readonly number[] {
    return this.tokenList;
  }

  /** One entry per token: 1 for model tokens, 0 for system tokens (prompt and tool answers). */
  get tokenMasks(): readonly number[] {
    return this.maskList;
  }

  /** Each segment's range in `text`. */
  get textSpans(): readonly Span[] {
    return this.textSpanList;
  }

  /** Each segment's range in `tokens`. */
  get tokenSpans(): readonly Span[] {
    return this.tokenSpanList;
  }

  /** Each segment's system flag (TRL's `system_spans`). */
  get systemSpans(): readonly boolean[] {
    return this.segmentList.map((segment) => segment.system);
  }

  /** The tool calls made in this episode, in order. */
  get toolCalls(): readonly ToolCallRecord[] {
    return this.toolCallList;
  }

  /** The last segment's text. */
  get lastTextSegment(): string {
    return this.segmentList[this.segmentList.length - 1]!.text;
  }

  /** The last segment's token ids. */
  get lastTokenSegment(): readonly number[] {
    return this.segmentList[this.segmentList.length - 1]!.tokenIds;
  }

  /** Number of tokens in the query (the first segment). */
  get queryLength(): number {
    return this.tokenSpanList[0]![1];
  }

  /**
   * Appends a segment. Throws when `tokenIds` is empty or holds something other than non-negative
   * integers, because a segment without tokens would break the token spans PPO relies on.
   */
  appendSegment(text: string, tokenIds: readonly number[], system = true): void {
    if (typeof text !== 'string') {
      throw new TypeError(`TextHistory.appendSegment: text must be a string, got ${typeof text}.`);
    }
    if (!Array.isArray(tokenIds) || tokenIds.length === 0) {
      throw new TrlError(
        'invalid-argument',
        'TextHistory.appendSegment: tokenIds must be a non-empty array of token ids.',
      );
    }
    for (const id of tokenIds) {
      if (!Number.isInteger(id) || id < 0) {
        throw new TrlError(
          'invalid-argument',
          `TextHistory.appendSegment: token id ${String(id)} is not a non-negative integer.`,
        );
      }
    }
    const textStart = this.textValue.length;
    const tokenStart = this.tokenList.length;
    this.textValue += text;
    for (const id of tokenIds) {
      this.tokenList.push(id);
      this.maskList.push(system ? 0 : 1);
    }
    this.textSpanList.push([textStart, this.textValue.length]);
    this.tokenSpanList.push([tokenStart, this.tokenList.length]);
    this.segmentList.push({ text, tokenIds: [...tokenIds], system });
  }

  /** Marks the episode as ended. `truncated` defaults to true exactly for `max-length`. */
  complete(reason: EndReason, truncated: boolean = reason === 'max-length'): void {
    this.completed = true;
    this.endReason = reason;
    this.truncated = truncated;
  }

  /** Adds an entry to the tool-call log. */
  logToolCall(record: ToolCallRecord): void {
    this.toolCallList.push(record);
  }

  /** Splits the tokens into the query (first segment) and the response with its training mask. */
  splitQueryResponseTokens(): QueryResponseTokens {
    const split = this.queryLength;
    return {
      query: this.tokenList.slice(0, split),
      response: this.tokenList.slice(split),
      mask: this.maskList.slice(split),
    };
  }

  /** The text with prompt, system and model segments coloured, then the reward. */
  formatText(options: DisplayOptions = {}): string {
    return formatHistoryText(this, options);
  }

  /** Prints `formatText(options)` to the console and returns it. */
  showText(options: DisplayOptions = {}): string {
    const out = this.formatText(options);
    console.log(out);
    return out;
  }

  /** Every token decoded on its own, coloured by who wrote it, then the reward. */
  formatTokens(tokenizer: Tokenizer, options: DisplayOptions = {}): string {
    return formatHistoryTokens(this, tokenizer, options);
  }

  /** Prints `formatTokens(tokenizer, options)` to the console and returns it. */
  showTokens(tokenizer: Tokenizer, options: DisplayOptions = {}): string {
    const out = this.formatTokens(tokenizer, options);
    console.log(out);
    return out;
  }

  /** Prints the colour legend (Prompt | System | Model | Reward) and returns it. */
  showColourLegend(options: Pick<DisplayOptions, 'colors'> = {}): string {
    const out = formatLegend(options);
    console.log(out);
    return out;
  }

  /** A standalone HTML page showing this history (see the `toHTML` function for a batch). */
  toHTML(options: HtmlOptions = {}): string {
    return toHTML([this], options);
  }
}

/** One piece of an episode: the prompt, a model turn, or a tool answer. */
export interface HistorySegment {
  /** The segment's text (for model segments: the decoding of `tokenIds`). */
  readonly text: string;
  /** The segment's token ids; for model segments exactly as sampled. */
  readonly tokenIds: readonly number[];
  /** True for text the model did not write (the prompt and tool answers): masked out of training. */
  readonly system: boolean;
}

/** Why an episode ended. */
export type EndReason =
  /** The model wrote the submit marker. */
  | 'submit'
  /** The model produced an end-of-sequence token. */
  | 'eos'
  /** A model turn held neither a complete tool call nor a submit (includes an empty turn). */
  | 'no-call'
  /** `maxTurns` turns were played. */
  | 'max-turns'
  /** The history reached `maxLength` (or the model's context size) and was cut: `truncated` is set. */
  | 'max-length';

/** How a tool call went. Each status has its own text for the model (see `TOOL_MESSAGES`). */
export type ToolCallStatus =
  /** The tool answered with text. */
  | 'ok'
  /** The tool threw, rejected, or returned something other than a string. */
  | 'error'
  /** The tool did not answer within `toolTimeoutMs`; its signal was aborted. */
  | 'timeout'
  /** The model named a tool the environment does not have. */
  | 'unknown-tool'
  /** The model's call did not have the `<request><ToolName>query<call>` shape. */
  | 'unparsable';

/** One entry of a history's tool-call log. */
export interface ToolCallRecord {
  /** Zero-based turn in which the call was made. */
  readonly turn: number;
  /** The tool name the model wrote, or undefined when the call could not be parsed. */
  readonly tool: string | undefined;
  /** The query the model wrote, or undefined when the call could not be parsed. */
  readonly query: string | undefined;
  /** How the call went. */
  readonly status: ToolCallStatus;
  /** The text handed back to the model (after sanitizing and shortening), without the response marker. */
  readonly response: string;
  /** Wall time of the tool call in milliseconds (0 when no tool ran). */
  readonly latencyMs: number;
}

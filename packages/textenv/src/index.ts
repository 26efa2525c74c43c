/**
 * @trl/textenv: TRL's TextEnvironment and TextHistory — tool-using episodes whose token masks let
 * PPO train only on the model's own tokens.
 */

export { callTool, type ToolOutcome } from './call-tool';
export { colorsEnabled, type HistoryPalette, historyPalette } from './colors';
export {
  type ResolvedTextEnvironmentOptions,
  resolveTextEnvironmentOptions,
  type TextEnvironmentOptions,
} from './environment-options';
export { type DisplayOptions, formatHistoryText, formatHistoryTokens, formatLegend } from './format-history';
export { escapeHtml, type HtmlOptions, toHTML } from './history-html';
export type { EndReason, HistorySegment, ToolCallRecord, ToolCallStatus } from './history-types';
export { type ParsedToolCall, parseToolCall } from './parse-tool-call';
export { DEFAULT_TOOL_SYNTAX, type ToolSyntax } from './syntax';
export { neutralizeTerminalControls } from './terminal-safe';
export { TextEnvironment, type TextEnvironmentResult } from './text-environment';
export { type QueryResponseTokens, type Span, TextHistory } from './text-history';
export { toInt32Tensors } from './to-int32-tensors';
export { TOOL_MESSAGES } from './tool-messages';
export {
  MIN_RAW_ANSWER_UNITS,
  RAW_ANSWER_UNITS_PER_CHAR,
  rawAnswerLimit,
  type StripStats,
  sanitizeToolAnswer,
  shortenToolText,
  stripMarkers,
} from './tool-output-text';
export { statsToMetrics, type TextEnvironmentStats, type ToolStats } from './tool-stats';

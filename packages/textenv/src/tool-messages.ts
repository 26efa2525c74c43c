/**
 * The texts the model reads back instead of a tool answer. Each failure kind starts differently,
 * so the model (and whoever reads the histories) can tell them apart.
 */
export const TOOL_MESSAGES = {
  /**
   * The turn held request and call markers but no `<ToolName>` right after the request marker.
   * Names no marker itself: markers are stripped from every answer.
   */
  unparsable: (): string =>
    'Unparsable tool call: expected a tool name in angle brackets after the request marker.',
  /** The model named a tool the environment does not have. */
  unknownTool: (tool: string, available: readonly string[]): string =>
    `Unknown tool ${tool}. Available tools: ${available.length > 0 ? available.join(', ') : '(none)'}.`,
  /** The tool threw or its promise rejected. */
  error: (tool: string, message: string): string => `Tool error: ${tool} failed: ${message}`,
  /** The tool answered with something other than a string. */
  notText: (tool: string, got: string): string => `Tool error: ${tool} returned ${got}, not text.`,
  /** The tool did not answer in time; its AbortSignal was aborted. */
  timeout: (tool: string, timeoutMs: number): string =>
    `Tool timeout: ${tool} gave no answer within ${timeoutMs} ms.`,
} as const;

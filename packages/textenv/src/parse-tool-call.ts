import type { ToolSyntax } from './syntax';

/** A tool call read from a model turn. */
export interface ParsedToolCall {
  /** The tool name written between angle brackets after the request marker. */
  tool: string;
  /** Everything after the `<ToolName>` up to the call marker, unchanged. */
  query: string;
}

const TOOL_NAME = /^\s*<([^\s<>]+)>/;

/**
 * Reads `<request><ToolName>query<call>` from a model turn. Uses the last call marker and the last
 * request marker before it, so text the model wrote earlier in the turn (even a stray request
 * marker) does not end up in the query. Returns undefined when the shape is not there.
 */
export function parseToolCall(text: string, syntax: ToolSyntax): ParsedToolCall | undefined {
  const callAt = text.lastIndexOf(syntax.call);
  if (callAt < syntax.request.length) return undefined;
  const requestAt = text.lastIndexOf(syntax.request, callAt - syntax.request.length);
  if (requestAt < 0) return undefined;
  const inner = text.slice(requestAt + syntax.request.length, callAt);
  const name = TOOL_NAME.exec(inner);
  if (!name) return undefined;
  return { tool: name[1]!, query: inner.slice(name[0].length) };
}

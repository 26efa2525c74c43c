import type { Tokenizer, Tool } from '@trl/spec';
import { callTool } from './call-tool';
import type { ToolCallStatus } from './history-types';
import { parseToolCall } from './parse-tool-call';
import type { ToolSyntax } from './syntax';
import type { TextHistory } from './text-history';
import { TOOL_MESSAGES } from './tool-messages';
import { sanitizeToolAnswer } from './tool-output-text';
import type { ToolStatsCollector } from './tool-stats';

/** What answering tool calls needs from the environment. */
export interface ToolTurnContext {
  /** Tools by name. */
  tools: ReadonlyMap<string, Tool>;
  /** Encodes the tool answer segment on its own. */
  tokenizer: Tokenizer;
  /** Protocol markers. */
  syntax: ToolSyntax;
  /** Markers removed from tool answers: the syntax markers and the special tokens' texts. */
  forbiddenMarkers: readonly string[];
  /** Most characters of an answer. */
  maxToolResponse: number;
  /** Timeout per call in milliseconds. */
  toolTimeoutMs: number;
  /** Token limit per history. */
  maxLength: number;
  /** Receives every call's outcome. */
  stats: ToolStatsCollector;
}

interface RawAnswer {
  tool: string | undefined;
  query: string | undefined;
  status: ToolCallStatus;
  text: string;
  latencyMs: number;
}

async function runCall(history: TextHistory, context: ToolTurnContext): Promise<RawAnswer> {
  const { syntax } = context;
  const parsed = parseToolCall(history.lastTextSegment, syntax);
  if (!parsed) {
    const text = TOOL_MESSAGES.unparsable();
    return { tool: undefined, query: undefined, status: 'unparsable', text, latencyMs: 0 };
  }
  const tool = context.tools.get(parsed.tool);
  if (!tool) {
    const text = TOOL_MESSAGES.unknownTool(parsed.tool, [...context.tools.keys()]);
    return { ...parsed, status: 'unknown-tool', text, latencyMs: 0 };
  }
  const outcome = await callTool(tool, parsed.query, context.toolTimeoutMs, parsed.tool);
  return { ...parsed, ...outcome };
}

/** Appends the answer segment (tokenized on its own), cutting it at the length limit. */
function appendAnswer(history: TextHistory, text: string, context: ToolTurnContext): void {
  const tokens = context.tokenizer.encode(text, { addSpecialTokens: false });
  const room = context.maxLength - history.tokens.length;
  if (tokens.length <= room) {
    if (tokens.length > 0) history.appendSegment(text, tokens, true);
    return;
  }
  const kept = tokens.slice(0, room);
  history.appendSegment(context.tokenizer.decode(kept), kept, true);
  history.complete('max-length');
}

/**
 * Answers the tool call that ended the history's last model turn: runs the tool (or builds the
 * unknown-tool / unparsable message), bounds the answer's size, strips protocol markers from it,
 * shortens it to `maxToolResponse` characters, logs the call and appends `answer + response marker` as a system
 * segment. Never throws because of a tool. A history with no room left ends as `max-length`
 * without calling the tool, since the model could never read the answer.
 */
export async function answerToolCall(
  history: TextHistory,
  turn: number,
  context: ToolTurnContext,
): Promise<void> {
  if (history.tokens.length >= context.maxLength) {
    history.complete('max-length');
    return;
  }
  const answer = await runCall(history, context);
  context.stats.record(answer.tool, answer.status, answer.latencyMs);
  const response = sanitizeToolAnswer(answer.text, context.forbiddenMarkers, context.maxToolResponse);
  history.logToolCall({
    turn,
    tool: answer.tool,
    query: answer.query,
    status: answer.status,
    response,
    latencyMs: answer.latencyMs,
  });
  appendAnswer(history, response + context.syntax.response, context);
}

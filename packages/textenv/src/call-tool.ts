import type { Tool } from '@trl/spec';
import { TOOL_MESSAGES } from './tool-messages';

/** What came of calling one tool. `text` is what the model will read (before sanitizing). */
export interface ToolOutcome {
  /** `ok`, `error` (threw, rejected or returned a non-string) or `timeout`. */
  status: 'ok' | 'error' | 'timeout';
  /** The tool's answer, or the failure message for the model. */
  text: string;
  /** Wall time until the outcome was known, in milliseconds. */
  latencyMs: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a value of type ${typeof value}`;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Calls a tool with a timeout; `name` (default `tool.name`) is the name used in messages. Never throws: sync throws, rejections, non-string answers and
 * timeouts all become an outcome. On timeout the call's AbortSignal is aborted and the call is no
 * longer awaited. A synchronous tool that blocks cannot be interrupted (JavaScript runs it to the
 * end); its answer then still counts, because it arrives before the timer can fire.
 */
export async function callTool(
  tool: Tool,
  query: string,
  timeoutMs: number,
  name: string = tool.name,
): Promise<ToolOutcome> {
  const controller = new AbortController();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const work = (async () => tool.call(query, { signal: controller.signal }))().then(
    (value): ToolOutcome =>
      typeof value === 'string'
        ? { status: 'ok', text: value, latencyMs: elapsed() }
        : { status: 'error', text: TOOL_MESSAGES.notText(name, describe(value)), latencyMs: elapsed() },
    (error: unknown): ToolOutcome => ({
      status: 'error',
      text: TOOL_MESSAGES.error(name, errorMessage(error)),
      latencyMs: elapsed(),
    }),
  );
  const deadline = new Promise<ToolOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`${name} timed out after ${timeoutMs} ms`));
      resolve({ status: 'timeout', text: TOOL_MESSAGES.timeout(name, timeoutMs), latencyMs: elapsed() });
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

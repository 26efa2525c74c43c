import type { Tool, ToolCallOptions } from '@trl/spec';

/** `a+b` / `a*b` on integers; throws on anything else. */
export const calculator: Tool = {
  name: 'Calculator',
  description: 'Adds or multiplies two integers, e.g. "2+3".',
  call(input: string): string {
    const match = /^\s*(-?\d+)\s*([+*])\s*(-?\d+)\s*$/.exec(input);
    if (!match) throw new Error(`cannot evaluate ${JSON.stringify(input)}`);
    const [a, b] = [Number(match[1]), Number(match[3])];
    return String(match[2] === '+' ? a + b : a * b);
  },
};

/** A tool returning a fixed value (of any type, to test contract violations). */
export function constantTool(name: string, value: unknown): Tool {
  return { name, description: `Always answers ${String(value)}.`, call: () => value as string };
}

/** An async tool that never answers; it records whether its signal was aborted. */
export function hangingTool(name: string): Tool & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    name,
    description: 'Never answers.',
    signals,
    call(_input: string, options: ToolCallOptions): Promise<string> {
      signals.push(options.signal);
      return new Promise<string>(() => {});
    },
  };
}

import type { Rng } from '@trl/core';
import { drawOne } from '@trl/example-kit/random';
import {
  exactMatchReward,
  lastSegmentReward,
  type Segment,
  transcriptText,
} from '@trl/example-kit/transcript';
import { trainBpeTokenizer } from '@trl/models';
import type { TextHistory, ToolCallRecord } from '@trl/textenv';
import { evaluateExpression, type Problem } from './problems';

/** The tool's name as the model writes it: `<request><PythonInterpreter>code<call>`. */
export const TOOL_NAME = 'PythonInterpreter';

/** TRL's tool markers plus the tool name; each becomes one token so a decision is one token. */
export const PROTOCOL_TOKENS = ['<request>', '<call>', '<response>', '<submit>', `<${TOOL_NAME}>`];

/** The answer prefix of TRL's reward, kept whole so a number never fuses with `=`. */
export const TEMPLATE_TOKENS = ['Result='];

/** Vocabulary size of the tokenizer: 256 bytes, 8 special tokens, the rest learned merges. */
export const VOCAB_SIZE = 700;

/** The operators a slip can swap in. */
const SLIP_OPERATORS: readonly string[] = ['+', '-', '*'];

/**
 * The project's byte-level BPE (GPT-2's scheme) learned from `corpus`, with the protocol markers and
 * `Result=` as special tokens. GPT-2's pre-tokenizer glues a leading space to a digit run, so the
 * program is written `n = 23 + 17 * 4`: every number is ` 23` both in the question and in the code,
 * and copying a number is copying the same token.
 */
export function createPythonMathTokenizer(corpus: readonly string[]) {
  return trainBpeTokenizer(corpus, {
    vocabSize: VOCAB_SIZE,
    specialTokens: ['<|endoftext|>', '<|pad|>', ...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS],
  });
}

/** The program the model should write for `expression`: assign, then print (what the tool returns). */
export function programFor(expression: string): string {
  return `n = ${expression}\nprint(n)`;
}

/**
 * `expression` with one operator swapped for a different one (a slip a hurried student makes, e.g.
 * `23 + 17 + 4` for `23 + 17 * 4`); which one and what it becomes are drawn from `rng`.
 */
export function slipExpression(expression: string, rng: Rng): string {
  const tokens = expression.split(' ');
  const operatorPositions = tokens.map((_, i) => i).filter((i) => i % 2 === 1);
  const position = drawOne(operatorPositions, rng);
  const choices = SLIP_OPERATORS.filter((op) => op !== tokens[position]);
  tokens[position] = drawOne(choices, rng);
  return tokens.join(' ');
}

/** The right program, a program with a slip, or no tool. */
export type TranscriptKind = 'program' | 'slip' | 'direct';

/**
 * The segments of an SFT transcript of `problem`. `system` segments are written by the environment
 * (the question, the tool's answer) and are not trained on.
 * - `program`: the right program, the tool prints the answer, the model copies it;
 * - `slip`: a program with one operator wrong (drawn with `rng`); the model copies the wrong result;
 * - `direct`: no tool, the true answer from the model's head (which it mostly cannot compute).
 */
export function transcriptSegments(problem: Problem, kind: TranscriptKind, rng?: Rng): Segment[] {
  if (kind === 'direct') {
    return [
      { text: problem.question, system: true },
      { text: `Result=${problem.answer}<submit>`, system: false },
    ];
  }
  if (kind !== 'program' && kind !== 'slip') {
    throw new Error(`transcriptSegments: kind must be 'program', 'slip' or 'direct', got ${kind}.`);
  }
  let expression = problem.expression;
  if (kind === 'slip') {
    if (!rng) throw new Error('transcriptSegments: a slip transcript needs `rng`.');
    expression = slipExpression(problem.expression, rng);
  }
  const printed = evaluateExpression(expression);
  return [
    { text: problem.question, system: true },
    { text: `<request><${TOOL_NAME}>${programFor(expression)}<call>`, system: false },
    { text: `${printed}<response>`, system: true },
    { text: `Result=${printed}<submit>`, system: false },
  ];
}

/** The tokenizer's training text: a program and a direct transcript of every problem in `problems`. */
export function tokenizerCorpus(problems: readonly Problem[]): string[] {
  return problems.flatMap((problem) => [
    transcriptText(transcriptSegments(problem, 'program')),
    transcriptText(transcriptSegments(problem, 'direct')),
  ]);
}

/** `rewardFn` for the TextEnvironment: exact match on each history's last model segment. */
export const rewardHistories = lastSegmentReward(exactMatchReward);

/** The episode's calls to the Python tool. */
export function pythonCalls(history: TextHistory): ToolCallRecord[] {
  return history.toolCalls.filter((call) => call.tool === TOOL_NAME);
}

/**
 * True when a tool call ran the program to the end without a Python error: the tool answered
 * (no environment error or timeout) and its answer carries no traceback or host notice.
 */
export function ranWithoutError(call: { status: string; response: string }): boolean {
  return (
    call.status === 'ok' &&
    !call.response.includes('[stderr]') &&
    !/^\w*(Timeout)?Error:/m.test(call.response)
  );
}

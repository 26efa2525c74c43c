import { calledTool } from '@trl/example-kit/tool-env';
import {
  exactMatchReward,
  lastSegmentReward,
  type Segment,
  transcriptText,
} from '@trl/example-kit/transcript';
import { trainBpeTokenizer } from '@trl/models';
import type { TextHistory } from '@trl/textenv';
import { Calculator } from '@trl/tools-calculator';
import type { Task } from './tasks';

/** TRL's tool markers plus the tool name; each becomes one token so a decision is one token. */
export const PROTOCOL_TOKENS = ['<request>', '<call>', '<response>', '<submit>', '<Calculator>'];

/** The fixed words of the task template, also kept whole (so no number ever fuses with a space or `=`). */
export const TEMPLATE_TOKENS = ['What is ', 'Result='];

/** Vocabulary size of the tokenizer: 256 bytes, 9 special tokens, the rest learned merges. */
export const VOCAB_SIZE = 600;

/**
 * The project's byte-level BPE (GPT-2's scheme, `trainBpeTokenizer`) learned from `corpus`, with the
 * protocol markers and template words as special tokens. GPT-2's pre-tokenizer cuts digit runs
 * apart from operators and dots, so a number is tokenized the same way in the question, in the tool
 * query, in the tool answer (`2064.0` → `20` `64` `.` `0`) and in the result: copying a number is
 * copying its one or two tokens.
 */
export function createCalculatorTokenizer(corpus: readonly string[]) {
  return trainBpeTokenizer(corpus, {
    vocabSize: VOCAB_SIZE,
    specialTokens: ['<|endoftext|>', '<|pad|>', ...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS],
  });
}

/** The tokenizer's training text: one tool and one direct transcript of every task in `tasks`. */
export function tokenizerCorpus(tasks: readonly Task[], calculator = createCalculator()): string[] {
  return tasks.flatMap((task) => [
    transcriptText(transcriptSegments(task, 'tool', calculator)),
    transcriptText(transcriptSegments(task, 'direct', calculator)),
  ]);
}

/** The calculator tool, answering like TRL's (`13-3` → `10.0`). */
export function createCalculator(): Calculator {
  return new Calculator();
}

/** `rewardFn` for the TextEnvironment: TRL's exact-match reward on each history's last model segment. */
export const rewardHistories = lastSegmentReward(exactMatchReward);

/** True when the episode called the calculator at least once. */
export function usedCalculator(history: TextHistory): boolean {
  return calledTool(history, 'Calculator');
}

/** With the calculator or straight from the model's head. */
export type TranscriptKind = 'tool' | 'direct';

/**
 * The segments of an SFT transcript. `kind: 'tool'` asks the calculator and copies its answer;
 * `kind: 'direct'` answers from the model's head with the true result (which a small model mostly
 * cannot compute, so at generation time these answers are often wrong). `system` segments are
 * written by the environment and are not trained on.
 */
export function transcriptSegments(
  task: Task,
  kind: TranscriptKind,
  calculator = createCalculator(),
): Segment[] {
  if (kind === 'direct') {
    return [
      { text: task.question, system: true },
      { text: `Result=${task.answer}<submit>`, system: false },
    ];
  }
  if (kind !== 'tool') throw new Error(`transcriptSegments: kind must be 'tool' or 'direct', got ${kind}.`);
  const toolAnswer = calculator.call(task.expression, { signal: new AbortController().signal });
  return [
    { text: task.question, system: true },
    { text: `<request><Calculator>${task.expression}<call>`, system: false },
    { text: `${toolAnswer}<response>`, system: true },
    { text: `Result=${task.answer}<submit>`, system: false },
  ];
}

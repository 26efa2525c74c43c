import { Rng } from '@trl/core';

import { seededShuffle } from '@trl/example-kit/random';

/** Draws tasks from a pool with replacement. */
export { drawWithReplacement as sampleTasks } from '@trl/example-kit/random';

/** The operators of TRL's calculator example. */
export const OPERATORS: readonly string[] = ['+', '-', '*'];

/** Largest operand (exclusive), as TRL's `np.random.randint(0, 50)`. */
export const OPERAND_LIMIT = 50;

/**
 * One arithmetic task: operands, operator, the expression the model should send to the tool, the
 * question text and the exact integer answer.
 */
export interface Task {
  a: number;
  b: number;
  op: string;
  expression: string;
  question: string;
  answer: number;
}

/** Builds the task for `a op b`. */
export function makeTask(a: number, b: number, op: string): Task {
  if (
    !Number.isInteger(a) ||
    !Number.isInteger(b) ||
    a < 0 ||
    b < 0 ||
    a >= OPERAND_LIMIT ||
    b >= OPERAND_LIMIT
  ) {
    throw new Error(`makeTask: operands must be integers in 0..${OPERAND_LIMIT - 1}, got a=${a}, b=${b}.`);
  }
  if (!OPERATORS.includes(op))
    throw new Error(`makeTask: op must be one of ${OPERATORS.join(' ')}, got ${op}.`);
  const answer = op === '+' ? a + b : op === '-' ? a - b : a * b;
  const expression = `${a}${op}${b}`;
  return { a, b, op, expression, question: `What is ${expression}?`, answer };
}

/** Every task there is (50 × 50 × 3 = 7500), in a fixed order. */
export function allTasks(): Task[] {
  const tasks: Task[] = [];
  for (const op of OPERATORS) {
    for (let a = 0; a < OPERAND_LIMIT; a++)
      for (let b = 0; b < OPERAND_LIMIT; b++) tasks.push(makeTask(a, b, op));
  }
  return tasks;
}

/**
 * Splits all tasks into a held-out test set of `testSize` tasks and the training pool (the rest), by a
 * seeded shuffle, so no test question is ever seen in SFT or PPO.
 */
export function splitTasks(testSize: number, seed: number): { test: Task[]; train: Task[] } {
  const tasks = allTasks();
  if (!Number.isInteger(testSize) || testSize <= 0 || testSize >= tasks.length) {
    throw new Error(`splitTasks: testSize must be an integer in 1..${tasks.length - 1}, got ${testSize}.`);
  }
  const shuffled = seededShuffle(tasks, new Rng(seed));
  return { test: shuffled.slice(0, testSize), train: shuffled.slice(testSize) };
}

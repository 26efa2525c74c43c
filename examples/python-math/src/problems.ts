import { Rng } from '@trl/core';
import { drawOne } from '@trl/example-kit/random';

/** Who the problems are about; surface only (not part of a problem's identity). */
export const NAMES = ['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'] as const;

/** What they count; surface only (not part of a problem's identity). */
export const ITEMS = ['apples', 'pens', 'coins', 'cards', 'eggs', 'books', 'shells', 'stamps'] as const;

/** How one kind of word problem draws its numbers, reads, and is solved in Python. */
export interface ProblemTemplate {
  draw: (rng: Rng) => number[];
  text: (numbers: readonly number[], who: string, what: string) => string;
  expression: (numbers: readonly number[]) => string;
}

/**
 * The word-problem templates. Each draws its numbers (`draw`), phrases the question (`text`) and
 * gives the Python expression that solves it (`expression`); the answer is that expression's value.
 * Operand ranges make the answers (up to a few hundred, multi-step) arithmetic a two-layer model
 * cannot do in its head but can easily write down as a program.
 */
export const TEMPLATES: Readonly<Record<string, ProblemTemplate>> = {
  add: {
    draw: (rng) => [between(rng, 10, 99), between(rng, 10, 99)],
    text: (n, who, what) => `${who} has ${n[0]} ${what} and gets ${n[1]} more. How many ${what} now?`,
    expression: (n) => `${n[0]} + ${n[1]}`,
  },
  sub: {
    draw: (rng) => {
      const a = between(rng, 20, 99);
      return [a, between(rng, 1, a - 1)];
    },
    text: (n, who, what) => `${who} has ${n[0]} ${what} and gives away ${n[1]}. How many ${what} are left?`,
    expression: (n) => `${n[0]} - ${n[1]}`,
  },
  mul: {
    draw: (rng) => [between(rng, 2, 49), between(rng, 2, 19)],
    text: (n, who, what) => `${who} buys ${n[0]} bags of ${n[1]} ${what}. How many ${what} in all?`,
    expression: (n) => `${n[0]} * ${n[1]}`,
  },
  addMul: {
    draw: (rng) => [between(rng, 10, 99), between(rng, 2, 29), between(rng, 2, 12)],
    text: (n, who, what) =>
      `${who} has ${n[0]} ${what} and buys ${n[1]} bags of ${n[2]} more. How many ${what} now?`,
    expression: (n) => `${n[0]} + ${n[1]} * ${n[2]}`,
  },
  mulSub: {
    draw: (rng) => {
      const a = between(rng, 2, 29);
      const b = between(rng, 2, 12);
      return [a, b, between(rng, 1, Math.min(19, a * b - 1))];
    },
    text: (n, who, what) =>
      `${who} has ${n[0]} boxes of ${n[1]} ${what} and loses ${n[2]}. How many ${what} are left?`,
    expression: (n) => `${n[0]} * ${n[1]} - ${n[2]}`,
  },
  div: {
    draw: (rng) => {
      const share = between(rng, 2, 29);
      const friends = between(rng, 2, 9);
      return [share * friends, friends];
    },
    text: (n, who, what) =>
      `${who} shares ${n[0]} ${what} among ${n[1]} friends. How many ${what} does each get?`,
    expression: (n) => `${n[0]} // ${n[1]}`,
  },
};

/** Template names, in a fixed order. */
export const TEMPLATE_NAMES = Object.keys(TEMPLATES);

/** A uniform integer in [low, high]. */
function between(rng: Rng, low: number, high: number): number {
  return low + rng.nextInt(high - low + 1);
}

/**
 * Evaluates an expression of the templates' form (integers joined by `+ - * //`, Python precedence:
 * `*` and `//` before `+` and `-`, left to right). It is what the Python tool prints for such a
 * program, so SFT transcripts can be written without running the interpreter.
 */
export function evaluateExpression(expression: string): number {
  const tokens = expression.trim().split(/\s+/);
  const valid =
    tokens.length % 2 === 1 &&
    tokens.every((t, i) => (i % 2 === 0 ? /^\d+$/.test(t) : /^(\+|-|\*|\/\/)$/.test(t)));
  if (!valid)
    throw new Error(`evaluateExpression: expected integers joined by + - * //, got "${expression}".`);
  // First pass folds * and // into terms, second sums the terms with their signs.
  const terms = [Number(tokens[0])];
  const signs = [1];
  for (let i = 1; i < tokens.length; i += 2) {
    const op = tokens[i];
    const value = Number(tokens[i + 1]);
    const last = terms.length - 1;
    // `terms` always holds at least the first term, so `last` is an index of it.
    if (op === '*') terms[last] = (terms[last] as number) * value;
    else if (op === '//') {
      if (value === 0) throw new Error(`evaluateExpression: division by zero in "${expression}".`);
      terms[last] = Math.floor((terms[last] as number) / value);
    } else {
      terms.push(value);
      signs.push(op === '+' ? 1 : -1);
    }
  }
  // `signs` has one entry per term.
  return terms.reduce((sum, term, i) => sum + (signs[i] as number) * term, 0);
}

/**
 * One word problem: the template, its numbers, the question, the Python expression that solves it,
 * the answer, and `key` (template + numbers), the problem's identity for the held-out split.
 */
export interface Problem {
  template: string;
  numbers: number[];
  question: string;
  expression: string;
  answer: number;
  key: string;
}

/** Builds the problem of `template` with `numbers`, phrased about `who` and `what`. */
export function makeProblem(
  template: string,
  numbers: number[],
  who: string = NAMES[0],
  what: string = ITEMS[0],
): Problem {
  const spec = TEMPLATES[template];
  if (!spec)
    throw new Error(`makeProblem: template must be one of ${TEMPLATE_NAMES.join(', ')}, got ${template}.`);
  if (!Array.isArray(numbers) || !numbers.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error(`makeProblem: numbers must be non-negative integers, got ${JSON.stringify(numbers)}.`);
  }
  const expression = spec.expression(numbers);
  return {
    template,
    numbers,
    question: spec.text(numbers, who, what),
    expression,
    answer: evaluateExpression(expression),
    key: `${template}:${numbers.join(',')}`,
  };
}

/** Draws a problem: a uniform template, its numbers, a name and an item. */
export function drawProblem(rng: Rng): Problem {
  const template = drawOne(TEMPLATE_NAMES, rng);
  // Every name in TEMPLATE_NAMES is a key of TEMPLATES.
  const numbers = (TEMPLATES[template] as ProblemTemplate).draw(rng);
  return makeProblem(template, numbers, drawOne(NAMES, rng), drawOne(ITEMS, rng));
}

/**
 * The held-out test set: `testSize` distinct problems drawn with `seed`. `isHeldOut(problem)` is
 * true for any phrasing of a held-out problem (same template and numbers, any name or item), so
 * training never sees a test problem in other words.
 */
export function heldOutProblems(
  testSize: number,
  seed: number,
): { test: Problem[]; isHeldOut: (problem: Problem) => boolean } {
  if (!Number.isInteger(testSize) || testSize <= 0 || testSize > 2000) {
    throw new Error(`heldOutProblems: testSize must be an integer in 1..2000, got ${testSize}.`);
  }
  const rng = new Rng(seed);
  const test: Problem[] = [];
  const keys = new Set<string>();
  while (test.length < testSize) {
    const problem = drawProblem(rng);
    if (keys.has(problem.key)) continue;
    keys.add(problem.key);
    test.push(problem);
  }
  return { test, isHeldOut: (problem: Problem) => keys.has(problem.key) };
}

/** Draws `count` training problems, skipping held-out ones. */
export function sampleTrainingProblems(
  count: number,
  rng: Rng,
  isHeldOut: (problem: Problem) => boolean,
): Problem[] {
  const out: Problem[] = [];
  while (out.length < count) {
    const problem = drawProblem(rng);
    if (!isHeldOut(problem)) out.push(problem);
  }
  return out;
}

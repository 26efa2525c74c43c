import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import {
  drawProblem,
  evaluateExpression,
  heldOutProblems,
  makeProblem,
  sampleTrainingProblems,
  TEMPLATE_NAMES,
} from '../src/problems';

describe('problem generator', () => {
  it('phrases each template and computes its answer by hand-checked arithmetic', () => {
    expect(makeProblem('addMul', [23, 17, 4], 'Ann', 'apples')).toMatchObject({
      question: 'Ann has 23 apples and buys 17 bags of 4 more. How many apples now?',
      expression: '23 + 17 * 4',
      answer: 91,
      key: 'addMul:23,17,4',
    });
    expect(makeProblem('add', [48, 39]).answer).toBe(87);
    expect(makeProblem('sub', [95, 38]).answer).toBe(57);
    expect(makeProblem('mul', [37, 12]).answer).toBe(444);
    expect(makeProblem('mulSub', [13, 7, 15]).answer).toBe(76);
    expect(makeProblem('div', [138, 6]).answer).toBe(23);
  });

  it('evaluates with Python precedence and floor division', () => {
    expect(evaluateExpression('2 + 3 * 4')).toBe(14);
    expect(evaluateExpression('2 * 3 + 4')).toBe(10);
    expect(evaluateExpression('10 - 3 - 2')).toBe(5);
    expect(evaluateExpression('7 // 2 * 3')).toBe(9);
    expect(evaluateExpression('1 - 7 * 3')).toBe(-20);
    expect(() => evaluateExpression('2 ** 3')).toThrow(/integers joined by/);
    expect(() => evaluateExpression('4 // 0')).toThrow(/division by zero/);
  });

  it('draws problems whose answers are whole, non-negative and match the expression', () => {
    const rng = new Rng(5);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const p = drawProblem(rng);
      seen.add(p.template);
      expect(p.answer).toBe(evaluateExpression(p.expression));
      expect(Number.isInteger(p.answer) && p.answer >= 0).toBe(true);
      if (p.template === 'div') expect(p.numbers[0]! % p.numbers[1]!).toBe(0);
      for (const n of p.numbers) expect(p.question).toMatch(new RegExp(` ${n}\\b`));
    }
    expect([...seen].sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  it('keeps held-out problems out of training in any phrasing, deterministically per seed', () => {
    const { test, isHeldOut } = heldOutProblems(200, 0);
    expect(test).toHaveLength(200);
    expect(new Set(test.map((p) => p.key)).size).toBe(200);
    const first = test[0]!;
    expect(isHeldOut(makeProblem(first.template, first.numbers, 'Zed', 'rocks'))).toBe(true);
    const train = sampleTrainingProblems(5000, new Rng(1), isHeldOut);
    expect(train.some(isHeldOut)).toBe(false);
    expect(heldOutProblems(200, 0).test.map((p) => p.key)).toEqual(test.map((p) => p.key));
    expect(heldOutProblems(200, 1).test.map((p) => p.key)).not.toEqual(test.map((p) => p.key));
    expect(() => heldOutProblems(0, 0)).toThrow(/testSize/);
  });

  it('rejects unknown templates and bad numbers', () => {
    expect(() => makeProblem('pow', [1, 2])).toThrow(/template must be one of/);
    expect(() => makeProblem('add', [1.5, 2])).toThrow(/non-negative integers/);
  });
});

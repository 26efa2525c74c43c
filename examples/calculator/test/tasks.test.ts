import { Rng } from '@trl/core';
import { describe, expect, it } from 'vitest';
import { allTasks, makeTask, OPERAND_LIMIT, sampleTasks, splitTasks } from '../src/tasks';

describe('task generator', () => {
  it('computes the answer of each operator', () => {
    expect(makeTask(13, 3, '-')).toMatchObject({ expression: '13-3', question: 'What is 13-3?', answer: 10 });
    expect(makeTask(3, 13, '-').answer).toBe(-10);
    expect(makeTask(49, 49, '*').answer).toBe(2401);
    expect(makeTask(0, 7, '+').answer).toBe(7);
  });

  it('covers every operand pair and operator once (TRL: randint(0, 50), + - *)', () => {
    const tasks = allTasks();
    expect(tasks).toHaveLength(OPERAND_LIMIT * OPERAND_LIMIT * 3);
    expect(new Set(tasks.map((t) => t.expression)).size).toBe(tasks.length);
    expect(Math.max(...tasks.map((t) => t.a))).toBe(49);
  });

  it('keeps the held-out tasks out of the training pool, deterministically per seed', () => {
    const { test, train } = splitTasks(200, 0);
    expect(test).toHaveLength(200);
    expect(train).toHaveLength(7500 - 200);
    const held = new Set(test.map((t) => t.expression));
    expect(train.some((t) => held.has(t.expression))).toBe(false);
    expect(splitTasks(200, 0).test.map((t) => t.expression)).toEqual(test.map((t) => t.expression));
    expect(splitTasks(200, 1).test.map((t) => t.expression)).not.toEqual(test.map((t) => t.expression));
  });

  it('samples only from the pool it is given', () => {
    const pool = [makeTask(1, 2, '+'), makeTask(3, 4, '*')];
    const drawn = sampleTasks(pool, 50, new Rng(3));
    expect(drawn).toHaveLength(50);
    expect(drawn.every((t) => pool.includes(t))).toBe(true);
    expect(new Set(drawn).size).toBe(2);
  });

  it('rejects operands and operators outside the task space', () => {
    expect(() => makeTask(50, 1, '+')).toThrow(/operands must be integers in 0\.\.49/);
    expect(() => makeTask(1, 2, '/')).toThrow(/op must be one of/);
    expect(() => splitTasks(0, 0)).toThrow(/testSize/);
  });
});

import { describe, expect, it } from 'vitest';
import { createLrSchedule } from '../src/train/schedules';

const at = (schedule: (step: number) => number, steps: number[]) => steps.map((step) => schedule(step));

describe('createLrSchedule', () => {
  it('constant ignores warmup', () => {
    expect(at(createLrSchedule({ kind: 'constant', baseLr: 3e-4, warmupSteps: 5 }), [0, 1, 100])).toEqual([
      3e-4, 3e-4, 3e-4,
    ]);
  });

  it('constant_with_warmup ramps linearly from 0 then holds (both spellings)', () => {
    for (const kind of ['constant_with_warmup', 'constant-with-warmup'] as const) {
      const schedule = createLrSchedule({ kind, baseLr: 2, warmupSteps: 4 });
      expect(at(schedule, [0, 1, 2, 4, 50])).toEqual([0, 0.5, 1, 2, 2]);
    }
  });

  it('linear: warmup to the peak then straight down to 0 at totalSteps', () => {
    const schedule = createLrSchedule({ kind: 'linear', baseLr: 1, warmupSteps: 2, totalSteps: 10 });
    // After warmup: (10 − step) / (10 − 2).
    expect(at(schedule, [0, 1, 2, 6, 9, 10, 12])).toEqual([0, 0.5, 1, 0.5, 0.125, 0, 0]);
  });

  it('cosine: warmup then a half cosine to 0', () => {
    const schedule = createLrSchedule({ kind: 'cosine', baseLr: 1, warmupSteps: 2, totalSteps: 10 });
    const values = at(schedule, [1, 2, 4, 6, 8, 10]);
    // progress = (step − 2) / 8; lr = 0.5 · (1 + cos(π · progress)).
    const expected = [0.5, 1, 0.5 * (1 + Math.SQRT1_2), 0.5, 0.5 * (1 - Math.SQRT1_2), 0];
    values.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 12);
    });
  });

  it('cosine with numCycles 1 comes back up to the peak', () => {
    const schedule = createLrSchedule({ kind: 'cosine', baseLr: 1, totalSteps: 10, numCycles: 1 });
    expect(schedule(5)).toBeCloseTo(0, 12);
    expect(schedule(10)).toBeCloseTo(1, 12);
  });

  it('warmupRatio rounds up like transformers', () => {
    const schedule = createLrSchedule({ kind: 'linear', baseLr: 1, warmupRatio: 0.1, totalSteps: 15 });
    // ceil(15 · 0.1) = 2 warmup steps.
    expect(at(schedule, [1, 2])).toEqual([0.5, 1]);
  });

  it('rejects bad options and steps, naming the field', () => {
    expect(() => createLrSchedule({ kind: 'exponential' as 'linear', baseLr: 1, totalSteps: 3 })).toThrow(
      /kind/,
    );
    expect(() => createLrSchedule({ kind: 'linear', baseLr: -1, totalSteps: 3 })).toThrow(/baseLr/);
    expect(() => createLrSchedule({ kind: 'linear', baseLr: 1 })).toThrow(/totalSteps/);
    expect(() => createLrSchedule({ kind: 'cosine', baseLr: 1, totalSteps: 5, warmupSteps: 1.5 })).toThrow(
      /warmupSteps/,
    );
    expect(() => createLrSchedule({ kind: 'constant', baseLr: 1 })(-1)).toThrow(/step/);
  });
});

import { TrlError } from '@trl/spec';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../src/data/dataset';
import { applyPeft, datasetRows, resolveMaxLength, TaskTrainer } from '../src/loop/task-trainer';
import { type TrainingArguments, trainingArgumentsSchema } from '../src/loop/training-arguments';
import type { TrainingTask } from '../src/loop/training-task';

class NoEvalTrainer extends TaskTrainer<number, number[]> {
  readonly args: TrainingArguments = trainingArgumentsSchema.parse({ outputDir: '/nonexistent' });
  readonly trainExamples = [1, 2];
  readonly evalExamples = undefined;
  protected readonly trainerName = 'NoEvalTrainer';
  protected readonly tracker = undefined;
  protected readonly progressStream = undefined;
  protected task(): TrainingTask<number, number[]> {
    throw new Error('not reached: evaluate checks for eval examples first');
  }
}

describe('TaskTrainer helpers', () => {
  it('evaluate without eval examples throws missing-eval-dataset naming the trainer', () => {
    const error = (() => {
      try {
        new NoEvalTrainer().evaluate();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({
      code: 'missing-eval-dataset',
      message: 'NoEvalTrainer.evaluate: no evalDataset was given.',
    });
  });

  it('datasetRows reads a Dataset or an array and rejects anything else with the given message', () => {
    expect(datasetRows(Dataset.from([{ a: 1 }]), 'unused')).toEqual([{ a: 1 }]);
    const rows = [{ a: 2 }];
    expect(datasetRows(rows, 'unused')).toBe(rows);
    expect(() => datasetRows('rows' as unknown as number[], 'X: bad rows')).toThrow(
      expect.objectContaining({ code: 'invalid-argument', message: 'X: bad rows' }),
    );
  });

  it('applyPeft applies the setup once and keeps the model without one', () => {
    const model = { adapted: false };
    expect(applyPeft(model, undefined)).toBe(model);
    const adapted = applyPeft(model, { config: 3, apply: (m, r: number) => ({ ...m, adapted: r === 3 }) });
    expect(adapted).toEqual({ adapted: true });
  });

  it('resolveMaxLength defaults to min(1024, positions) and refuses more than the model has', () => {
    expect(resolveMaxLength('T', 'maxLength', undefined, 64)).toBe(64);
    expect(resolveMaxLength('T', 'maxLength', undefined, 4096)).toBe(1024);
    expect(resolveMaxLength('T', 'maxLength', 32, 64)).toBe(32);
    expect(() => resolveMaxLength('T', 'maxLength', 65, 64)).toThrow(
      "T: maxLength 65 exceeds the model's 64 positions; lower it.",
    );
  });
});

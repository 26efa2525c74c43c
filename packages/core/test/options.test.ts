import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assertKnownKeys,
  closestKey,
  editDistance,
  parseConfig,
  parseOptions,
  TrlConfigError,
  TrlError,
  trainingArgumentsSchema,
} from '../src/index';

const schema = z.object({
  learningRate: z.number().default(1),
  miniBatchSize: z.number().int().positive().default(1),
  nested: z.object({ maxNewTokens: z.number().default(4) }).default({ maxNewTokens: 4 }),
  loose: z.looseObject({ a: z.number().optional() }).optional(),
  list: z.array(z.object({ name: z.string() })).default([]),
});

function thrown(run: () => unknown): TrlConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TrlConfigError);
    return error as TrlConfigError;
  }
  throw new Error('expected a TrlConfigError');
}

describe('editDistance and closestKey', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('learningRate', 'learningRate')).toBe(0);
    expect(editDistance('learningRat', 'learningRate')).toBe(1);
    expect(editDistance('lerarning', 'learning')).toBe(1);
    expect(editDistance('gamam', 'gamma')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest key, ignoring case and separators, and nothing when all are far', () => {
    const known = ['learningRate', 'miniBatchSize', 'lam', 'gamma'];
    expect(closestKey('learningRat', known)).toBe('learningRate');
    expect(closestKey('learning-rate', known)).toBe('learningRate');
    expect(closestKey('LEARNINGRATE', known)).toBe('learningRate');
    expect(closestKey('minibatchsise', known)).toBe('miniBatchSize');
    expect(closestKey('temperature', known)).toBeUndefined();
    expect(closestKey('xy', known)).toBeUndefined();
  });
});

describe('parseOptions', () => {
  it('fills defaults and returns the parsed value for valid input, including undefined and null', () => {
    expect(parseOptions('T', schema, { learningRate: 3 })).toMatchObject({
      learningRate: 3,
      miniBatchSize: 1,
    });
    expect(parseOptions('T', schema, undefined).learningRate).toBe(1);
    expect(parseOptions('T', schema, null).nested.maxNewTokens).toBe(4);
  });

  it('rejects a misspelt key with the field, a did-you-mean and a code', () => {
    const error = thrown(() => parseOptions('PPOConfig', schema, { learningRat: 1 }, { what: 'config' }));
    expect(error).toBeInstanceOf(TrlError);
    expect(error.code).toBe('unknown-option');
    expect(error.field).toBe('learningRat');
    expect(error.owner).toBe('PPOConfig');
    expect(error.issues[0]?.suggestion).toBe('learningRate');
    expect(error.message).toBe(
      'PPOConfig: invalid config: learningRat: unknown option; did you mean learningRate?',
    );
  });

  it("rejects TRL's snake_case names and names the camelCase spelling", () => {
    const error = thrown(() => parseOptions('PPOConfig', schema, { mini_batch_size: 64 }));
    expect(error.code).toBe('snake-case-option');
    expect(error.field).toBe('mini_batch_size');
    expect(error.issues[0]?.suggestion).toBe('miniBatchSize');
    expect(error.message).toContain("mini_batch_size: unknown option: that is TRL's Python spelling");
    expect(error.message).toContain('trl-ts spells it miniBatchSize');
  });

  it('lists the valid keys when nothing is close', () => {
    const error = thrown(() => parseOptions('T', schema, { temperature: 1 }));
    expect(error.message).toContain(
      'temperature: unknown option; valid options are learningRate, miniBatchSize',
    );
  });

  it('uses a hint for keys a config leaves out on purpose', () => {
    const error = thrown(() =>
      parseOptions('T', schema, { log_with: 'wandb' }, { hints: { logWith: 'pass a Tracker' } }),
    );
    expect(error.message).toBe('T: invalid options: log_with: unknown option; pass a Tracker');
  });

  it('finds unknown keys at any depth, in arrays too, but leaves loose objects alone', () => {
    const error = thrown(() =>
      parseOptions('T', schema, {
        nested: { maxNewToken: 3 },
        list: [{ name: 'a' }, { name: 'b', nam: 'c' }],
        loose: { anything: 1 },
      }),
    );
    expect(error.issues.map((issue) => issue.field)).toEqual(['nested.maxNewToken', 'list.1.nam']);
    expect(error.issues[0]?.suggestion).toBe('maxNewTokens');
  });

  it('reports unknown keys and invalid values together, one line each', () => {
    const error = thrown(() => parseOptions('T', schema, { learningRat: 1, miniBatchSize: 0 }));
    expect(error.issues.map((issue) => [issue.code, issue.field])).toEqual([
      ['unknown-option', 'learningRat'],
      ['invalid-value', 'miniBatchSize'],
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).toMatch(/^T: invalid options \(2 problems\):\n {2}learningRat: /);
  });

  it('names the whole object when the input is not one', () => {
    const error = thrown(() => parseOptions('T', schema, 'fast'));
    expect(error.field).toBe('(options)');
    expect(error.code).toBe('invalid-value');
  });

  it('rejects an unknown key even when its value is undefined, since it is still a typo', () => {
    expect(() => parseOptions('T', schema, { learningRat: undefined })).toThrow(/did you mean learningRate/);
  });

  it("still reports zod's own unrecognized-key issues inside unions", () => {
    const union = z.object({ pick: z.union([z.strictObject({ a: z.number() }), z.number()]) });
    const error = thrown(() => parseOptions('T', union, { pick: { a: 1, b: 2 } }));
    expect(error.field).toBe('pick.b');
    expect(error.code).toBe('unknown-option');
  });
});

describe('assertKnownKeys', () => {
  it('rejects keys outside the list with the same messages', () => {
    expect(() => assertKnownKeys('Calculator', { decimals: 2 }, ['decimals'])).not.toThrow();
    const error = thrown(() => assertKnownKeys('Calculator', { decimal: 2 }, ['decimals', 'numberStyle']));
    expect(error.message).toBe(
      'Calculator: invalid options: decimal: unknown option; did you mean decimals?',
    );
  });
});

describe('parseConfig (training arguments)', () => {
  it('rejects snake_case and misspelt training arguments instead of dropping them', () => {
    expect(() => parseConfig('SFTTrainer', trainingArgumentsSchema, { num_train_epochs: 1 })).toThrow(
      /num_train_epochs: .*spells it numTrainEpochs/,
    );
    expect(() => parseConfig('SFTTrainer', trainingArgumentsSchema, { learningRat: 1 })).toThrow(
      /SFTTrainer: invalid config: learningRat: unknown option; did you mean learningRate\?/,
    );
    expect(parseConfig('SFTTrainer', trainingArgumentsSchema, { maxSteps: 3 }).maxSteps).toBe(3);
  });
});

import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM } from '@trl/models';
import { useTestBackend } from '@trl/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { DPOTrainer } from '../src/index';

// Written by tooling/hf-fixtures/dpo_trainer.py with TRL 1.13's DPOTrainer.compute_loss on one batch.
const FIXTURE = join(import.meta.dirname, 'fixtures', 'tiny-dpo');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  beta: number;
  maxLength: number;
  eosTokenId: number;
  rows: Record<string, number[]>[];
  results: Record<'sigmoid' | 'hinge' | 'ipo', Record<string, number>>;
};

beforeAll(() => useTestBackend());

describe('DPOTrainer parity with TRL 1.13', () => {
  for (const lossType of ['sigmoid', 'hinge', 'ipo'] as const) {
    it(`matches TRL's loss and metrics for one batch (${lossType})`, async () => {
      const model = await AutoModelForCausalLM.fromPretrained(join(FIXTURE, 'policy'));
      const refModel = await AutoModelForCausalLM.fromPretrained(join(FIXTURE, 'ref'));
      const trainer = new DPOTrainer({
        model,
        refModel,
        args: {
          outputDir: join(tmpdir(), 'trl-dpo-parity'),
          reportTo: ['none'],
          disableTqdm: true,
          beta: expected.beta,
          lossType,
          maxLength: expected.maxLength,
        },
        trainDataset: expected.rows,
      });
      // Some completions are longer than maxLength, so the comparison covers keep-start truncation too.
      const ours = trainer.batchMetrics(trainer.trainExamples);
      const theirs = expected.results[lossType];
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      for (const [name, value] of Object.entries(theirs)) {
        expect(Math.abs((ours[name] as number) - value), name).toBeLessThan(1e-4);
      }
      model.dispose();
      refModel.dispose();
    });
  }
});

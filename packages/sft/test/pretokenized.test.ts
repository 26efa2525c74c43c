import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTokenBatch, pretokenizedExample } from '../src/pretokenized';
import { SFTTrainer } from '../src/trainer';
import { collectingTracker, tinyModel, tinyTokenizer, useTestBackend } from './helpers';

const quiet = { reportTo: ['none' as const], disableTqdm: true, saveStrategy: 'no' as const };
const pairs = [
  { prompt: 'Q: 2+2?', completion: ' A: 4' },
  { prompt: 'Q: 13+3?', completion: ' A: 16' },
  { prompt: 'Q: 1+4?', completion: ' A: 5' },
];

/** The pre-tokenized form of a prompt/completion row: the prompt masked out of the loss. */
function pretokenized({ prompt, completion }: { prompt: string; completion: string }) {
  const tokenizer = tinyTokenizer();
  const promptIds = tokenizer.encode(prompt);
  const completionIds = tokenizer.encode(completion);
  return {
    input_ids: [...promptIds, ...completionIds],
    completion_mask: [...promptIds.map(() => 0), ...completionIds.map(() => 1)],
  };
}

let dir: string;
beforeAll(async () => {
  await useTestBackend();
  dir = await mkdtemp(join(tmpdir(), 'trl-sft-pretokenized-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('pre-tokenized rows (input_ids + completion_mask)', () => {
  it('turn the mask into -100 labels, or train on every token without completion-only loss', () => {
    const row = { input_ids: [5, 6, 7, 8], completion_mask: [0, 0, 1, 1] };
    expect(pretokenizedExample(row, 0)).toEqual({ inputIds: [5, 6, 7, 8], labels: [-100, -100, 7, 8] });
    expect(pretokenizedExample(row, 0, { completionOnlyLoss: false }).labels).toEqual([5, 6, 7, 8]);
    expect(pretokenizedExample({ input_ids: [1, 2] }, 0).labels).toEqual([1, 2]);
  });

  it.each([
    [
      { input_ids: [1, 2, 3], completion_mask: [0, 1] },
      /row 2 field "completion_mask" has 2 entries but input_ids has 3 tokens/,
    ],
    [
      { input_ids: [1, 2], completion_mask: [0, 2] },
      /row 2 field "completion_mask" has 2 at position 1; use 0 or 1/,
    ],
    [
      { input_ids: [1, 2.5] },
      /row 2 field "input_ids" has 2.5 at position 1; every id must be an integer in \[0, 258\)/,
    ],
    [{ input_ids: [1, 258] }, /row 2 field "input_ids" has 258 at position 1/],
    [{ input_ids: [] }, /row 2 field "input_ids" must be a non-empty array of token ids/],
  ])('reject a bad row naming the row and the field: %j', (row, message) => {
    expect(() => pretokenizedExample(row, 2, { vocabSize: 258 })).toThrow(
      expect.objectContaining({ code: 'invalid-dataset', message: expect.stringMatching(message) }),
    );
  });

  it('build next-token batches: inputs ids[:-1] right-padded, labels[1:] with -100 on padding', () => {
    const batch = nextTokenBatch(
      [
        { inputIds: [1, 2, 3, 4], labels: [-100, -100, 3, 4] },
        { inputIds: [7, 8], labels: [7, 8] },
      ],
      0,
    );
    expect(batch).toEqual({
      inputIds: [
        [1, 2, 3],
        [7, 0, 0],
      ],
      labels: [
        [-100, 3, 4],
        [8, -100, -100],
      ],
    });
  });

  it('train SFTTrainer to exactly the losses of the equivalent prompt/completion rows', async () => {
    const run = async (rows: readonly object[], name: string) => {
      const model = tinyModel(5);
      const { tracker, logged } = collectingTracker();
      const trainer = new SFTTrainer({
        model,
        tokenizer: tinyTokenizer(),
        args: { ...quiet, outputDir: join(dir, name), learningRate: 3e-3, maxSteps: 3, loggingSteps: 1 },
        trainDataset: rows,
        evalDataset: rows,
        tracker,
      });
      const before = trainer.evaluate();
      await trainer.train();
      const examples = trainer.trainExamples;
      model.dispose();
      return { before, losses: logged.map(([metrics]) => metrics.loss), examples };
    };
    const text = await run(pairs, 'text');
    const ids = await run(pairs.map(pretokenized), 'ids');
    expect(ids.examples).toEqual(text.examples);
    expect(ids.before).toEqual(text.before);
    expect(ids.losses).toHaveLength(3);
    expect(ids.losses).toEqual(text.losses);
  });

  it('refuse a dataset that mixes pre-tokenized and text rows, and packing of pre-tokenized rows', () => {
    const make =
      (rows: readonly object[], packing = false) =>
      () =>
        new SFTTrainer({
          model: tinyModel(0),
          tokenizer: tinyTokenizer(),
          args: { ...quiet, outputDir: join(dir, 'bad'), packing },
          trainDataset: rows,
        });
    expect(make([{ input_ids: [1, 2] }, { text: 'hi' }])).toThrow(
      'SFTTrainer: row 1 of the train dataset has no field "input_ids" but row 0 has; give every row input_ids.',
    );
    expect(make([{ input_ids: [1, 2, 3] }], true)).toThrow(
      /pre-tokenized \(input_ids\); packing needs text rows/,
    );
    expect(make([{ input_ids: [1, 300] }])).toThrow(
      /row 0 field "input_ids" has 300 at position 1; every id must be an integer in \[0, 258\)/,
    );
  });
});

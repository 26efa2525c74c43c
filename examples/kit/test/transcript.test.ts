import { describe, expect, it } from 'vitest';
import { evalSummary, ppoTrainerConfig } from '../src/tool-ppo';
import {
  encodeTranscript,
  exactMatchReward,
  lastModelText,
  lastSegmentReward,
  padTokenIdOf,
  transcriptText,
} from '../src/transcript';

const segments = [
  { text: 'ab', system: true },
  { text: 'c', system: false },
  { text: 'de', system: true },
];

describe('transcripts', () => {
  it('tokenizes each segment on its own and trains only on model segments', () => {
    const tokenizer = { encode: (text: string) => [...text].map((ch) => ch.charCodeAt(0)) };
    expect(encodeTranscript(segments, tokenizer)).toEqual({
      ids: [97, 98, 99, 100, 101],
      trainOn: [false, false, true, false, false],
    });
    expect(transcriptText(segments)).toBe('abcde');
    expect(lastModelText({ segments })).toBe('c');
    expect(lastModelText({ segments: [{ text: 'q', system: true }] })).toBe('');
  });

  it('pads with the pad id, else eos', () => {
    expect(padTokenIdOf({ padTokenId: 1, eosTokenId: 0 })).toBe(1);
    expect(padTokenIdOf({ eosTokenId: 0 })).toBe(0);
    expect(padTokenIdOf({ padTokenId: null, eosTokenId: 5 })).toBe(5);
  });

  it('scores the last model segment with the reward it is given', () => {
    const histories = [{ segments: [{ text: 'Result=4<submit>', system: false }] }, { segments }];
    expect(lastSegmentReward(exactMatchReward)(histories, { answers: [4, 4] })).toEqual([1, 0]);
    const textMatch = (text: string, answer: string) => (text === answer ? 1 : 0);
    expect(lastSegmentReward(textMatch)(histories, { answers: ['x', 'c'] })).toEqual([0, 1]);
  });
});

describe('tool-PPO pieces', () => {
  it('passes only the set PPOTrainer keys, plus the seed', () => {
    expect(ppoTrainerConfig({ steps: 3, learningRate: 1e-4, cliprange: undefined, vfCoef: 0.01 }, 7)).toEqual(
      {
        learningRate: 1e-4,
        vfCoef: 0.01,
        seed: 7,
      },
    );
  });

  it('orders an example rate right after the tool-call rate', () => {
    const rates = {
      accuracy: 0.5,
      toolCallRate: 0.25,
      accuracyWithTool: 1,
      accuracyWithoutTool: 1 / 3,
      cleanRunRate: 0.123456,
    };
    const summary = evalSummary(rates, [{ key: 'cleanRunRate', metric: 'clean_run_rate', label: 'clean' }]);
    expect(Object.keys(summary)).toEqual([
      'accuracy',
      'toolCallRate',
      'cleanRunRate',
      'accuracyWithTool',
      'accuracyWithoutTool',
    ]);
    expect(summary.cleanRunRate).toBe(0.1235);
    expect(summary.accuracyWithoutTool).toBe(0.3333);
  });
});

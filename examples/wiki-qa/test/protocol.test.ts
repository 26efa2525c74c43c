import type { CausalLM } from '@trl/core';

type Question = ReturnType<typeof entityQuestions>[number];

import { buildSftBatch } from '@trl/example-kit/sft';
import { encodeTranscript, splitMarkers, tokenPieces, transcriptText } from '@trl/example-kit/transcript';
import { beforeAll, describe, expect, it } from 'vitest';
import { FULL_CONFIG } from '../src/config';
import { entityQuestions, splitWorld } from '../src/entities';
import { createWikiEnvironment, summarizeEpisodes } from '../src/environment';
import {
  createDisabledWikiTool,
  createWikiTokenizer,
  createWikiTool,
  exactMatchReward,
  PROTOCOL_TOKENS,
  parseSubmittedAnswer,
  TEMPLATE_TOKENS,
  tokenizerCorpus,
  toolQuery,
  transcriptSegments,
  VOCAB_SIZE,
} from '../src/protocol';

const zorvath = { name: 'Zorvath', city: 'Kelmira', year: 1843, job: 'potter' };
const [wherePlace, whenYear] = entityQuestions(zorvath) as [Question, Question];
const passage = wherePlace.paragraph;

describe('reward (exact match on Result=X<submit>)', () => {
  it('pays 1 only for the exact answer followed by <submit>, ignoring case and spaces', () => {
    expect(exactMatchReward('Result= Kelmira<submit>', 'Kelmira')).toBe(1);
    expect(exactMatchReward('Result=kelmira <submit>', 'Kelmira')).toBe(1);
    expect(exactMatchReward('Result= 1843<submit>', '1843')).toBe(1);
    expect(exactMatchReward('Result= Kelmir<submit>', 'Kelmira')).toBe(0);
    expect(exactMatchReward('Result= Kelmira Zorthi<submit>', 'Kelmira')).toBe(0);
    expect(exactMatchReward('Result= Kelmira', 'Kelmira')).toBe(0);
    expect(exactMatchReward('Kelmira<submit>', 'Kelmira')).toBe(0);
    expect(exactMatchReward('Result= 18430<submit>', '1843')).toBe(0);
  });

  it('reads the first submitted answer', () => {
    expect(parseSubmittedAnswer('Result= a<submit>Result= b<submit>')).toBe('a');
    expect(parseSubmittedAnswer('nothing here')).toBeNull();
  });
});

describe('transcripts and tokenization', () => {
  let tokenizer: ReturnType<typeof createWikiTokenizer>;
  const pieces = (text: string) => tokenPieces(tokenizer, text);
  beforeAll(() => {
    const world = splitWorld(FULL_CONFIG.entities, 0);
    // What the tool returns for each SFT query (entities.test.ts checks this against the real search).
    const responses = new Map(world.sft.map((q) => [toolQuery(q), q.paragraph]));
    tokenizer = createWikiTokenizer(tokenizerCorpus(world.sft, responses));
  });

  it('writes the tool transcript as TRL: question, request, passage, result', () => {
    const segments = transcriptSegments(wherePlace, 'tool', passage);
    expect(transcriptText(segments)).toBe(
      'Where was Zorvath born?<request><Wiki> Zorvath city<call>Zorvath was born in the city of Kelmira.<response>Result= Kelmira<submit>',
    );
    expect(segments.map((s) => s.system)).toEqual([true, false, true, false]);
    expect(exactMatchReward(segments[3]!.text, 'Kelmira')).toBe(1);
    expect(transcriptText(transcriptSegments(whenYear, 'direct'))).toBe(
      'When was Zorvath born?Result= 1843<submit>',
    );
    expect(() => transcriptSegments(whenYear, 'tool')).toThrow(/needs the tool's response text/);
  });

  it('makes markers one token and tokenizes a name or an answer alike in question, query, passage and result', () => {
    expect(splitMarkers(tokenizer, [...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS])).toEqual([]);
    expect(tokenizer.vocabSize).toBe(VOCAB_SIZE);
    const name = pieces(' Zorvath');
    expect(name.join('')).toBe(' Zorvath');
    expect(pieces('Where was Zorvath born?')).toEqual(['Where', ' was', ...name, ' born', '?']);
    expect(pieces('<request><Wiki> Zorvath city<call>')).toEqual([
      '<request>',
      '<Wiki>',
      ...name,
      ' city',
      '<call>',
    ]);
    for (const question of entityQuestions(zorvath)) {
      const answerPieces = pieces(` ${question.answer}`);
      expect(pieces(`Result= ${question.answer}<submit>`)).toEqual(['Result=', ...answerPieces, '<submit>']);
      // The answer's tokens end the passage, just before the full stop.
      expect(pieces(`${question.paragraph}<response>`).slice(-answerPieces.length - 2)).toEqual([
        ...answerPieces,
        '.',
        '<response>',
      ]);
    }
  });

  it('trains only on model tokens: labels skip the question, the passage and padding', () => {
    const tool = encodeTranscript(transcriptSegments(wherePlace, 'tool', passage), tokenizer);
    const direct = encodeTranscript(transcriptSegments(whenYear, 'direct'), tokenizer);
    const pad = tokenizer.padTokenId!;
    const { inputs, labels } = buildSftBatch([tool, direct], pad);
    expect(inputs[0]).toEqual(tool.ids.slice(0, -1));
    const trained = (row: number[]) => tokenizer.decode(row.filter((l) => l !== -100));
    expect(trained(labels[0]!)).toBe('<request><Wiki> Zorvath city<call>Result= Kelmira<submit>');
    expect(trained(labels[1]!)).toBe('Result= 1843<submit>');
    expect(inputs[1]!.slice(direct.ids.length - 1).every((id: number) => id === pad)).toBe(true);
  });

  it('plays the SFT transcript in the TextEnvironment: same text, reward 1, and 0 with the tool disabled', async () => {
    const world = { entities: [zorvath, { name: 'Quenlor', city: 'Nofen', year: 1901, job: 'poet' }] };
    const script = (text: string) =>
      text.endsWith('<response>') ? 'Result= Kelmira<submit>' : '<request><Wiki> Zorvath city<call>';
    const policy: CausalLM = {
      specificationVersion: 'v1',
      info: { modelType: 'scripted', vocabSize: tokenizer.vocabSize, maxPositions: 64, hiddenSize: 1 },
      async generate(prompts) {
        return prompts.map((prompt) => {
          const tokenIds = tokenizer.encode(script(tokenizer.decode([...prompt])));
          return { tokenIds, logprobs: tokenIds.map(() => 0), finishReason: 'stop-string' as const };
        });
      },
      forward: () => {
        throw new Error('not needed to play episodes');
      },
      trainableVariables: () => [],
      savePretrained: async () => {},
      dispose: () => {},
    };
    const config = FULL_CONFIG.env;
    const play = async (tool: ReturnType<typeof createWikiTool>) => {
      const env = createWikiEnvironment({ model: policy, tokenizer, tool, config, seed: 0 });
      const result = await env.run([wherePlace.question], { answers: [wherePlace.answer] });
      await tool.close();
      return result;
    };
    const withTool = await play(createWikiTool(world.entities));
    expect(withTool.histories[0]!.text).toBe(transcriptText(transcriptSegments(wherePlace, 'tool', passage)));
    expect(withTool.rewards).toEqual([1]);
    expect(summarizeEpisodes(withTool.histories, withTool.rewards)).toEqual({
      accuracy: 1,
      toolCallRate: 1,
      accuracyWithTool: 1,
      accuracyWithoutTool: 0,
    });
    const { ids, trainOn } = encodeTranscript(transcriptSegments(wherePlace, 'tool', passage), tokenizer);
    const queryLength = withTool.queries[0]!.length;
    expect([...withTool.queries[0]!, ...withTool.responses[0]!]).toEqual(ids);
    expect(withTool.masks[0]).toEqual(trainOn.slice(queryLength).map(Number));

    const blind = await play(createDisabledWikiTool());
    expect(blind.histories[0]!.text).toContain('<call>No results for "zorvath city".<response>');
    expect(blind.histories[0]!.toolCalls.map((call) => call.tool)).toEqual(['Wiki']);
  });
});

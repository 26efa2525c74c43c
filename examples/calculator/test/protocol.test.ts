import { buildSftBatch } from '@trl/example-kit/sft';
import {
  encodeTranscript,
  exactMatchReward,
  splitMarkers,
  tokenPieces,
  transcriptText,
} from '@trl/example-kit/transcript';
import { describe, expect, it } from 'vitest';
import {
  createCalculatorTokenizer,
  PROTOCOL_TOKENS,
  TEMPLATE_TOKENS,
  tokenizerCorpus,
  transcriptSegments,
  VOCAB_SIZE,
} from '../src/protocol';
import { makeTask, splitTasks } from '../src/tasks';

// The exact-match reward's cases are in the kit's test/exact-match.test.ts.
describe('transcript format', () => {
  const tokenizer = createCalculatorTokenizer(tokenizerCorpus(splitTasks(200, 0).train));
  const pieces = (text: string) => tokenPieces(tokenizer, text);

  it('writes the tool transcript as TRL: question, request, tool answer, result', () => {
    const segments = transcriptSegments(makeTask(13, 3, '-'), 'tool');
    expect(transcriptText(segments)).toBe(
      'What is 13-3?<request><Calculator>13-3<call>10.0<response>Result=10<submit>',
    );
    expect(segments.map((s) => s.system)).toEqual([true, false, true, false]);
    expect(exactMatchReward(segments[3]!.text, 10)).toBe(1);
  });

  it('writes the direct transcript without the tool', () => {
    expect(transcriptText(transcriptSegments(makeTask(7, 6, '*'), 'direct'))).toBe(
      'What is 7*6?Result=42<submit>',
    );
  });

  it('makes each marker and template word one token and tokenizes a number alike everywhere', () => {
    expect(splitMarkers(tokenizer, [...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS])).toEqual([]);
    expect(tokenizer.vocabSize).toBe(VOCAB_SIZE);
    const number = pieces('2064');
    expect(number.join('')).toBe('2064');
    expect(pieces('2064.0<response>').slice(0, number.length)).toEqual(number);
    expect(pieces('Result=2064<submit>')).toEqual(['Result=', ...number, '<submit>']);
    expect(pieces('What is 48*43?')).toEqual(['What is ', ...pieces('48'), '*', ...pieces('43'), '?']);
    expect(pieces('Result=-40<submit>')).toEqual(['Result=', '-', ...pieces('40'), '<submit>']);
  });

  it('trains only on model tokens: labels skip the question, the tool answer and padding', () => {
    const tool = encodeTranscript(transcriptSegments(makeTask(13, 3, '-'), 'tool'), tokenizer);
    const direct = encodeTranscript(transcriptSegments(makeTask(1, 2, '+'), 'direct'), tokenizer);
    expect(tokenizer.decode(tool.ids)).toBe(
      'What is 13-3?<request><Calculator>13-3<call>10.0<response>Result=10<submit>',
    );
    const pad = tokenizer.padTokenId!;
    const { inputs, labels } = buildSftBatch([tool, direct], pad);
    expect(inputs[0]).toEqual(tool.ids.slice(0, -1));
    const trained = labels[0]!.filter((l: number) => l !== -100);
    expect(tokenizer.decode(trained)).toBe('<request><Calculator>13-3<call>Result=10<submit>');
    expect(tokenizer.decode(labels[1]!.filter((l: number) => l !== -100))).toBe('Result=3<submit>');
    expect(inputs[1]!.slice(direct.ids.length - 1).every((id: number) => id === pad)).toBe(true);
  });
});

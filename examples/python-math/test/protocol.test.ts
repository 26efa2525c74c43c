import { Rng } from '@trl/core';
import { buildSftBatch } from '@trl/example-kit/sft';
import {
  encodeTranscript,
  exactMatchReward,
  splitMarkers,
  tokenPieces,
  transcriptText,
} from '@trl/example-kit/transcript';
import { PythonInterpreter } from '@trl/tools-python';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateExpression, makeProblem, sampleTrainingProblems } from '../src/problems';
import {
  createPythonMathTokenizer,
  PROTOCOL_TOKENS,
  programFor,
  ranWithoutError,
  slipExpression,
  TEMPLATE_TOKENS,
  tokenizerCorpus,
  transcriptSegments,
  VOCAB_SIZE,
} from '../src/protocol';
import { drawTranscriptKind } from '../src/sft';

const problem = makeProblem('addMul', [23, 17, 4], 'Ann', 'apples');

// The exact-match reward's cases are in the kit's test/exact-match.test.ts.
describe('transcripts', () => {
  it('writes the program transcript: question, program, printed answer, result', () => {
    const segments = transcriptSegments(problem, 'program');
    expect(transcriptText(segments)).toBe(
      'Ann has 23 apples and buys 17 bags of 4 more. How many apples now?' +
        '<request><PythonInterpreter>n = 23 + 17 * 4\nprint(n)<call>91<response>Result=91<submit>',
    );
    expect(segments.map((s) => s.system)).toEqual([true, false, true, false]);
    expect(exactMatchReward(segments[3]!.text, problem.answer)).toBe(1);
  });

  it('writes the direct transcript without the tool', () => {
    expect(transcriptText(transcriptSegments(problem, 'direct'))).toBe(
      `${problem.question}Result=91<submit>`,
    );
  });

  it('makes a slip by swapping exactly one operator, and copies the slipped result', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 50; i++) {
      const slipped = slipExpression('23 + 17 * 4', rng);
      const before = '23 + 17 * 4'.split(' ');
      const after = slipped.split(' ');
      expect(after.filter((t: string, j: number) => t !== before[j])).toHaveLength(1);
      expect([after[0], after[2], after[4]]).toEqual(['23', '17', '4']);
    }
    const segments = transcriptSegments(problem, 'slip', new Rng(3));
    const code = segments[1]!.text.slice('<request><PythonInterpreter>'.length, -'<call>'.length);
    const printed = evaluateExpression(code.slice('n = '.length, code.indexOf('\n')));
    expect(printed).not.toBe(91);
    expect(segments[2]!.text).toBe(`${printed}<response>`);
    expect(exactMatchReward(segments[3]!.text, problem.answer)).toBe(0);
  });

  it('draws transcript kinds in the configured proportions', () => {
    const rng = new Rng(4);
    const counts = { program: 0, slip: 0, direct: 0 } as Record<string, number>;
    for (let i = 0; i < 10_000; i++)
      counts[drawTranscriptKind(rng, { programFraction: 0.5, slipFraction: 0.2 })]!++;
    expect(counts.program! / 10_000).toBeCloseTo(0.5, 1);
    expect(counts.slip! / 10_000).toBeCloseTo(0.2, 1);
    expect(counts.direct! / 10_000).toBeCloseTo(0.3, 1);
  });
});

describe('tokenization', () => {
  const problems = sampleTrainingProblems(1500, new Rng(1), () => false);
  const tokenizer = createPythonMathTokenizer(tokenizerCorpus(problems));
  const pieces = (text: string) => tokenPieces(tokenizer, text);

  it('keeps every marker and Result= one token, and a question number the same token in the program', () => {
    expect(tokenizer.vocabSize).toBe(VOCAB_SIZE);
    expect(splitMarkers(tokenizer, [...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS])).toEqual([]);
    const question = pieces(problem.question);
    const program = pieces(programFor(problem.expression));
    for (const n of [' 23', ' 17', ' 4']) {
      expect(question).toContain(n);
      expect(program).toContain(n);
    }
    expect(pieces('Result=91<submit>')).toEqual(['Result=', ...pieces('91'), '<submit>']);
    expect(pieces('91<response>')).toEqual([...pieces('91'), '<response>']);
  });

  it('trains only on model tokens: labels skip the question, the printed answer and padding', () => {
    const program = encodeTranscript(transcriptSegments(problem, 'program'), tokenizer);
    const direct = encodeTranscript(transcriptSegments(makeProblem('add', [10, 12]), 'direct'), tokenizer);
    expect(tokenizer.decode(program.ids)).toBe(transcriptText(transcriptSegments(problem, 'program')));
    const pad = tokenizer.padTokenId!;
    const { inputs, labels } = buildSftBatch([program, direct], pad);
    expect(inputs[0]).toEqual(program.ids.slice(0, -1));
    expect(tokenizer.decode(labels[0]!.filter((l: number) => l !== -100))).toBe(
      '<request><PythonInterpreter>n = 23 + 17 * 4\nprint(n)<call>Result=91<submit>',
    );
    expect(tokenizer.decode(labels[1]!.filter((l: number) => l !== -100))).toBe('Result=22<submit>');
    expect(inputs[1]!.slice(direct.ids.length - 1).every((id: number) => id === pad)).toBe(true);
  });
});

describe('the sandbox agrees with the transcripts', () => {
  const python = new PythonInterpreter({ poolSize: 1, timeoutMs: 5000 });
  afterAll(() => python.close());
  const signal = new AbortController().signal;

  it('prints exactly the tool answer SFT transcripts show, slips included', async () => {
    const rng = new Rng(9);
    for (const p of sampleTrainingProblems(12, rng, () => false)) {
      for (const kind of ['program', 'slip'] as const) {
        const segments = transcriptSegments(p, kind, rng);
        const code = segments[1]!.text.slice('<request><PythonInterpreter>'.length, -'<call>'.length);
        expect(`${await python.call(code, { signal })}<response>`).toBe(segments[2]!.text);
      }
    }
  });

  it('counts a program as clean only when it ran without a Python error', async () => {
    const ok = { status: 'ok', response: await python.call('print(1 + 2)', { signal }) };
    const failed = { status: 'ok', response: await python.call('print(m)', { signal }) };
    expect(ok.response).toBe('3');
    expect(ranWithoutError(ok)).toBe(true);
    expect(failed.response).toContain('NameError');
    expect(ranWithoutError(failed)).toBe(false);
    expect(ranWithoutError({ status: 'timeout', response: 'Tool timeout: …' })).toBe(false);
    expect(ranWithoutError({ status: 'ok', response: 'TimeoutError: execution exceeded 50 ms' })).toBe(false);
  });
});

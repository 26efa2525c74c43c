import { describe, expect, it, vi } from 'vitest';
import { TextEnvironment, type TextEnvironmentOptions, type TextHistory } from '../src/index';
import { ByteTokenizer } from './helpers/byte-tokenizer';
import { ScriptedModel, turnsByTask } from './helpers/scripted-model';
import { calculator } from './helpers/tools';

const tokenizer = new ByteTokenizer();
const script = turnsByTask({
  '2+3': ['<request><Calculator>2+3<call>', 'The answer is 5<submit>'],
  '4*4': ['<request><Calculator>4*4<call>', 'The answer is 15<submit>'],
});

function options(overrides: Partial<TextEnvironmentOptions> = {}): TextEnvironmentOptions {
  return {
    model: new ScriptedModel({ tokenizer, script }),
    tokenizer,
    tools: [calculator],
    rewardFn: (histories) => histories.map(() => 0),
    ...overrides,
  };
}

describe('reward function', () => {
  it('receives whole histories and the kwargs, may be async, and sets each history reward', async () => {
    type Kwargs = { answers: string[] };
    const seen: { text: string; calls: number; lastSegment: string }[] = [];
    const rewardFn = async (histories: readonly TextHistory[], kwargs: Kwargs) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return histories.map((history, i) => {
        seen.push({
          text: history.text,
          calls: history.toolCalls.length,
          lastSegment: history.lastTextSegment,
        });
        return history.text.endsWith(`${kwargs.answers[i]}<submit>`) ? 1 : 0;
      });
    };
    const env = new TextEnvironment<Kwargs>({ ...options(), rewardFn, generation: { maxNewTokens: 64 } });
    const result = await env.run(['2+3', '4*4'], { answers: ['5', '16'] });
    expect(result.rewards).toEqual([1, 0]);
    expect(result.histories.map((history) => history.reward)).toEqual([1, 0]);
    expect(seen[0]).toEqual({
      text: '2+3<request><Calculator>2+3<call>5<response>The answer is 5<submit>',
      calls: 1,
      lastSegment: 'The answer is 5<submit>',
    });
  });

  it('rejects a reward list of the wrong length or with non-finite values', async () => {
    const short = new TextEnvironment(options({ rewardFn: () => [1] }));
    await expect(short.run(['2+3', '4*4'])).rejects.toThrow(
      'rewardFn must return one number per history (2), got 1 values',
    );
    const nan = new TextEnvironment(options({ rewardFn: (h) => h.map(() => Number.NaN) }));
    await expect(nan.run(['2+3'])).rejects.toThrow('rewardFn returned NaN for history 0');
  });
});

describe('bad input', () => {
  it('returns an empty result for an empty task list without calling the model or the reward', async () => {
    const model = new ScriptedModel({ tokenizer, script });
    const rewardFn = vi.fn(() => []);
    const result = await new TextEnvironment(options({ model, rewardFn })).run([]);
    expect(result).toMatchObject({ queries: [], responses: [], masks: [], rewards: [], histories: [] });
    expect(result.stats.tools.Calculator!.calls).toBe(0);
    expect(model.calls).toHaveLength(0);
    expect(rewardFn).not.toHaveBeenCalled();
  });

  it('throws a TypeError naming a non-string task', async () => {
    const env = new TextEnvironment(options());
    await expect(env.run(['2+3', 7 as unknown as string])).rejects.toThrow(
      'TextEnvironment.run: tasks[1] must be a string, got number.',
    );
    await expect(env.run('2+3' as unknown as string[])).rejects.toThrow('tasks must be an array of strings');
  });

  it('throws for a task that encodes to nothing or leaves no room under maxLength', async () => {
    await expect(new TextEnvironment(options()).run([''])).rejects.toThrow(
      'tasks[0]: prompt + task encodes to no tokens',
    );
    await expect(new TextEnvironment(options({ maxLength: 3 })).run(['2+3'])).rejects.toThrow(
      'tasks[0]: prompt + task is 3 tokens, leaving no room under the length limit of 3',
    );
  });

  it('rejects a non-string prompt and other invalid options, naming the field', () => {
    expect(() => new TextEnvironment(options({ prompt: 42 as unknown as string }))).toThrow(
      /invalid options: prompt: must be a string/,
    );
    expect(() => new TextEnvironment(options({ maxTurns: 0 }))).toThrow(
      /maxTurns: must be a positive integer/,
    );
    expect(() => new TextEnvironment(options({ maxToolResponse: 2 }))).toThrow(/maxToolResponse/);
    expect(() => new TextEnvironment(options({ generation: { maxNewTokens: 0 } }))).toThrow(
      /generation.maxNewTokens: must be a positive integer/,
    );
    expect(
      () => new TextEnvironment(options({ generation: { maxNewTokens: 4, stopStrings: [['<call>']] } })),
    ).toThrow(/generation.stopStrings.0: must be a string: give one flat list/);
    expect(() => new TextEnvironment(options({ generation: {} as never }))).toThrow(
      /generation.maxNewTokens: is required/,
    );
    expect(() => new TextEnvironment(options({ syntax: { call: '<request>' } }))).toThrow(/must all differ/);
    expect(() => new TextEnvironment(options({ maxTurn: 2 } as never))).toThrow(
      'TextEnvironment: invalid options: maxTurn: unknown option; did you mean maxTurns?',
    );
    expect(() => new TextEnvironment(options({ max_tool_response: 50 } as never))).toThrow(
      /max_tool_response: unknown option: that is TRL's Python spelling; trl-ts spells it maxToolResponse/,
    );
    expect(() => new TextEnvironment(options({ reward_fn: () => [] } as never))).toThrow(
      /trl-ts spells it rewardFn/,
    );
    expect(() => new TextEnvironment(options({ generation_kwargs: {} } as never))).toThrow(
      /generation_kwargs: unknown option; trl-ts calls it generation/,
    );
    expect(() => new TextEnvironment(options({ syntax: { reqest: '<q>' } as never }))).toThrow(
      /syntax.reqest: unknown option; did you mean request\?/,
    );
    expect(() => new TextEnvironment(options({ model: {} as never }))).toThrow(
      /model: must implement the CausalLM/,
    );
    expect(() => new TextEnvironment(options({ rewardFn: 'x' as never }))).toThrow(
      /rewardFn: must be a function/,
    );
  });

  it('rejects tools without call(), with unusable names, or with duplicate names', () => {
    expect(() => new TextEnvironment(options({ tools: [{ name: 'X' } as never] }))).toThrow(
      'tools.X must implement the Tool spec',
    );
    expect(() => new TextEnvironment(options({ tools: [{ ...calculator, name: 'My Tool' }] }))).toThrow(
      'tool name "My Tool" must be non-empty without whitespace',
    );
    expect(() => new TextEnvironment(options({ tools: [calculator, calculator] }))).toThrow(
      'two tools are named Calculator',
    );
  });

  it('fills TRL defaults', () => {
    const env = new TextEnvironment(options());
    expect(env.options).toMatchObject({
      prompt: '',
      maxTurns: 4,
      maxToolResponse: 100,
      batchSize: 16,
      maxLength: 4096,
      toolTimeoutMs: 10_000,
      generation: { maxNewTokens: 32 },
      syntax: { request: '<request>', call: '<call>', response: '<response>', submit: '<submit>' },
    });
  });

  it('reports a model that returns the wrong number of rows', async () => {
    const model = new ScriptedModel({ tokenizer, script });
    model.generate = async () => [];
    await expect(new TextEnvironment(options({ model })).run(['2+3'])).rejects.toThrow(
      'model.generate returned 0 results for 1 prompts',
    );
  });
});

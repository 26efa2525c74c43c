import type { Tool } from '@trl/spec';
import { describe, expect, it } from 'vitest';
import { TextEnvironment, type TextEnvironmentOptions, type TextHistory } from '../src/index';
import { ByteTokenizer, EOS_TEXT } from './helpers/byte-tokenizer';
import { type Script, ScriptedModel, turnsByTask } from './helpers/scripted-model';
import { calculator } from './helpers/tools';

const rewardLength = (histories: readonly TextHistory[]) => histories.map((history) => history.text.length);

function setup(script: Script, overrides: Partial<TextEnvironmentOptions> = {}, modelOptions = {}) {
  const tokenizer = new ByteTokenizer({ aliases: { 300: 'ab', 301: 'l>x' } });
  const model = new ScriptedModel({ tokenizer, script, ...modelOptions });
  const env = new TextEnvironment({
    model,
    tokenizer,
    tools: [calculator],
    rewardFn: rewardLength,
    prompt: 'Q: ',
    generation: { maxNewTokens: 64 },
    ...overrides,
  });
  return { tokenizer, model, env };
}

const bytes = (text: string) => [...new TextEncoder().encode(text)];

describe('TextEnvironment protocol', () => {
  it('plays request → tool answer + <response> → submit, with masks on model tokens only', async () => {
    const { env } = setup(turnsByTask({ '2+3?': ['<request><Calculator>2+3<call>', 'It is 5<submit>'] }));
    const result = await env.run(['2+3?']);
    const [history] = result.histories;
    expect(history!.text).toBe('Q: 2+3?<request><Calculator>2+3<call>5<response>It is 5<submit>');
    expect(history!.systemSpans).toEqual([true, false, true, false]);
    expect(history!.endReason).toBe('submit');
    expect(history!.completed).toBe(true);
    expect(history!.truncated).toBe(false);
    expect(result.queries).toEqual([bytes('Q: 2+3?')]);
    const model1 = bytes('<request><Calculator>2+3<call>');
    const tool = bytes('5<response>');
    const model2 = bytes('It is 5<submit>');
    expect(result.responses).toEqual([[...model1, ...tool, ...model2]]);
    expect(result.masks).toEqual([[...model1.map(() => 1), ...tool.map(() => 0), ...model2.map(() => 1)]]);
    expect(history!.toolCalls).toMatchObject([
      { turn: 0, tool: 'Calculator', query: '2+3', status: 'ok', response: '5' },
    ]);
    expect(result.rewards).toEqual([history!.text.length]);
    expect(result.stats.tools.Calculator).toMatchObject({ calls: 1, errors: 0, timeouts: 0 });
    expect(result.stats.endReasons.submit).toBe(1);
    expect(result.stats.turns).toBe(2);
  });

  it('keeps sampled tokens exactly and tokenizes tool answers on their own', async () => {
    const sampled = [...bytes('<request><Calculator>'), 300, ...bytes('<call>')];
    // The script gives ids, not text, so every encode call the tokenizer records is the environment's.
    const script: Script = (prompt) => (prompt.includes('<response>') ? bytes('<submit>') : sampled);
    const echo: Tool = { name: 'Calculator', description: 'echo', call: (input) => `${input}!` };
    const { env, tokenizer } = setup(script, { tools: [echo] });
    tokenizer.encoded.length = 0;
    const result = await env.run(['x']);
    // id 300 decodes to "ab" but re-encoding would give [97, 98]: it must survive as sampled.
    expect(result.responses[0]!.slice(0, sampled.length)).toEqual(sampled);
    expect(result.histories[0]!.toolCalls[0]!.query).toBe('ab');
    expect(tokenizer.encoded).toEqual(['Q: x', 'ab!<response>']);
    expect(result.responses[0]!.slice(sampled.length)).toEqual([
      ...bytes('ab!<response>'),
      ...bytes('<submit>'),
    ]);
  });

  it('generates over running histories only, batchSize rows at a time, with per-row stop strings', async () => {
    const { env, model } = setup(
      turnsByTask({
        A: ['done<submit>'],
        B: ['<request><Calculator>1+1<call>', '2<submit>'],
        C: ['<request><Calculator>2*2<call>', '4<submit>'],
      }),
      { batchSize: 2, generation: { maxNewTokens: 64, stopStrings: ['STOP'] } },
    );
    const result = await env.run(['A', 'B', 'C']);
    expect(model.calls.map((call) => call.prompts.length)).toEqual([2, 1, 2]);
    expect(model.calls[2]!.prompts.map((prompt) => new ByteTokenizer().decode(prompt))).toEqual([
      'Q: B<request><Calculator>1+1<call>2<response>',
      'Q: C<request><Calculator>2*2<call>4<response>',
    ]);
    for (const call of model.calls) {
      expect(call.options.stopStrings).toEqual(call.prompts.map(() => ['<call>', '<submit>', 'STOP']));
      expect(call.options.tokenizer).toBeDefined();
    }
    expect(result.histories.map((history) => history.endReason)).toEqual(['submit', 'submit', 'submit']);
  });

  it('runs the tool calls of one turn concurrently', async () => {
    // Each tool waits for the other to have started: run one after another, both would time out.
    const started: Record<string, () => void> = {};
    const gates = Object.fromEntries(
      ['Left', 'Right'].map((name) => [name, new Promise<void>((resolve) => (started[name] = resolve))]),
    );
    const waiting = (name: string, other: string): Tool => ({
      name,
      description: 'waits for the other tool',
      async call() {
        started[name]!();
        await gates[other];
        return `${name} ok`;
      },
    });
    const { env } = setup(
      turnsByTask({
        L: ['<request><Left>go<call>', '<submit>'],
        R: ['<request><Right>go<call>', '<submit>'],
      }),
      { tools: [waiting('Left', 'Right'), waiting('Right', 'Left')], toolTimeoutMs: 5_000 },
    );
    const result = await env.run(['L', 'R']);
    expect(result.histories.map((history) => history.toolCalls[0]!.response)).toEqual([
      'Left ok',
      'Right ok',
    ]);
    expect(result.stats.tools.Left!.timeouts + result.stats.tools.Right!.timeouts).toBe(0);
  });

  it('accepts a record of tools keyed by name and a custom syntax', async () => {
    const syntax = { request: '[[', call: ']]', response: '=>', submit: 'END' };
    const { env, model } = setup(turnsByTask({ six: ['[[<Calc>2*3]]', ' so 6END'] }, '=>'), {
      tools: { Calc: calculator },
      syntax,
    });
    const result = await env.run(['six']);
    expect(result.histories[0]!.text).toBe('Q: six[[<Calc>2*3]]6=> so 6END');
    expect(result.histories[0]!.endReason).toBe('submit');
    expect(model.calls[0]!.options.stopStrings).toEqual([[']]', 'END']]);
  });

  it('steps a fixed generation seed per generate call', async () => {
    const { env, model } = setup(turnsByTask({ s: ['<request><Calculator>1+2<call>', '<submit>'] }), {
      generation: { maxNewTokens: 64, seed: 7 },
    });
    await env.run(['s']);
    expect(model.calls.map((call) => call.options.seed)).toEqual([7, 8]);
  });

  it('cuts an over-generating row at its first stop string', async () => {
    const { env } = setup(
      turnsByTask({ over: ['<request><Calculator>1+1<call> and more<submit>', 'two<submit> extra'] }),
      {},
      { honorStopStrings: false },
    );
    const result = await env.run(['over']);
    expect(result.histories[0]!.text).toBe('Q: over<request><Calculator>1+1<call>2<response>two<submit>');
  });
});

describe('TextEnvironment stops', () => {
  it('keeps a final token that runs past the call marker and still parses the call', async () => {
    // Token 301 is "l>x": it completes "<call>" and adds text after it, as BPE tokens can.
    const turn = [...bytes('<request><Calculator>1+1<cal'), 301, ...bytes(' more')];
    const script: Script = (prompt) => (prompt.includes('<response>') ? '<submit>' : turn);
    const { env } = setup(script, {}, { honorStopStrings: false });
    const [history] = (await env.run(['past'])).histories;
    expect(history!.segments[1]!.tokenIds).toEqual(turn.slice(0, -5));
    expect(history!.segments[1]!.text).toBe('<request><Calculator>1+1<call>x');
    expect(history!.toolCalls[0]).toMatchObject({ query: '1+1', status: 'ok', response: '2' });
  });

  it('ends on a caller-given eos id', async () => {
    const { env, model } = setup(() => 'Wow! more', { generation: { maxNewTokens: 64, eosTokenId: 33 } });
    const [history] = (await env.run(['bang'])).histories;
    expect(model.calls[0]!.options.eosTokenId).toBe(33);
    expect(history!.lastTextSegment).toBe('Wow!');
    expect(history!.endReason).toBe('eos');
  });

  it('ends an empty model turn as no-call with an empty response', async () => {
    const { env } = setup(() => []);
    const result = await env.run(['quiet']);
    expect(result.histories[0]!.endReason).toBe('no-call');
    expect(result.responses).toEqual([[]]);
    expect(result.masks).toEqual([[]]);
  });
});

describe('TextEnvironment episode ends', () => {
  it('ends on eos in the model output', async () => {
    const { env } = setup(() => `bye${EOS_TEXT}ignored`);
    const [history] = (await env.run(['e'])).histories;
    expect(history!.endReason).toBe('eos');
    expect(history!.lastTokenSegment.at(-1)).toBe(256);
  });

  it('does not end because the prompt contains the eos text', async () => {
    const { env } = setup(turnsByTask({ eosq: ['<request><Calculator>1+1<call>', '2<submit>'] }));
    const [history] = (await env.run([`eosq ${EOS_TEXT}`])).histories;
    expect(history!.tokens).toContain(256);
    expect(history!.endReason).toBe('submit');
    expect(history!.toolCalls).toHaveLength(1);
  });

  it('ends a turn with neither a call nor a submit', async () => {
    const { env } = setup(() => 'I do not know');
    const result = await env.run(['n']);
    expect(result.histories[0]!.endReason).toBe('no-call');
    expect(result.histories[0]!.truncated).toBe(false);
    expect(result.stats.endReasons['no-call']).toBe(1);
  });

  it('ends at maxTurns after the last tool answer', async () => {
    const { env } = setup(() => '<request><Calculator>1+1<call>', { maxTurns: 2 });
    const result = await env.run(['loop']);
    const [history] = result.histories;
    expect(history!.toolCalls).toHaveLength(2);
    expect(history!.completed).toBe(true);
    expect(history!.endReason).toBe('max-turns');
    expect(history!.segments.at(-1)!.system).toBe(true);
    expect(result.stats.turns).toBe(2);
  });

  it('cuts a model turn at maxLength and marks the history truncated', async () => {
    const query = bytes('Q: long');
    const { env, model } = setup(() => 'x'.repeat(50), {
      maxLength: query.length + 5,
      generation: { maxNewTokens: 64, minNewTokens: 40 },
    });
    const result = await env.run(['long']);
    const [history] = result.histories;
    expect(model.calls[0]!.options).toMatchObject({ maxNewTokens: 5, minNewTokens: 5 });
    expect(history!.tokens).toHaveLength(query.length + 5);
    expect(history!.truncated).toBe(true);
    expect(history!.endReason).toBe('max-length');
    expect(result.stats.truncated).toBe(1);
  });

  it('cuts a tool answer at maxLength', async () => {
    const call = '<request><Calculator>99*99<call>';
    const limit = bytes(`Q: t${call}`).length + 3;
    const { env } = setup(() => call, { maxLength: limit });
    const [history] = (await env.run(['t'])).histories;
    expect(history!.tokens).toHaveLength(limit);
    expect(history!.lastTextSegment).toBe('980');
    expect(history!.segments.at(-1)!.system).toBe(true);
    expect(history!.truncated).toBe(true);
  });

  it('ends a history that filled the limit exactly before its tool answer without calling the tool', async () => {
    const call = '<request><Calculator>1+1<call>';
    const { env } = setup(() => call, { maxLength: bytes(`Q: f${call}`).length });
    const result = await env.run(['f']);
    expect(result.histories[0]!.endReason).toBe('max-length');
    expect(result.stats.tools.Calculator!.calls).toBe(0);
  });

  it("caps maxLength at the model's context size", async () => {
    const { env } = setup(() => 'y'.repeat(100), { maxLength: 1000 }, { maxPositions: 20 });
    expect(env.options.maxLength).toBe(20);
    const [history] = (await env.run(['c'])).histories;
    expect(history!.tokens).toHaveLength(20);
    expect(history!.endReason).toBe('max-length');
  });
});

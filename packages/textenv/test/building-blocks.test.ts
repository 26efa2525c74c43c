import { initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutAtFirstStop } from '../src/cut-at-first-stop';
import {
  callTool,
  DEFAULT_TOOL_SYNTAX,
  parseToolCall,
  shortenToolText,
  statsToMetrics,
  stripMarkers,
  type TextEnvironmentStats,
  toInt32Tensors,
} from '../src/index';
import { ByteTokenizer } from './helpers/byte-tokenizer';
import { constantTool, hangingTool } from './helpers/tools';

describe('parseToolCall', () => {
  const parse = (text: string) => parseToolCall(text, DEFAULT_TOOL_SYNTAX);

  it('reads tool and query, keeping the query as written', () => {
    expect(parse('<request><Calc> 1 + <2> <call>')).toEqual({ tool: 'Calc', query: ' 1 + <2> ' });
    expect(parse('thinking... <request> <Wiki>Paris<call>')).toEqual({ tool: 'Wiki', query: 'Paris' });
  });

  it('uses the last request before the call marker', () => {
    expect(parse('<request><A>x <request><B>y<call>')).toEqual({ tool: 'B', query: 'y' });
  });

  it('returns undefined without the full shape', () => {
    expect(parse('<request>1+1<call>')).toBeUndefined();
    expect(parse('<request><>1<call>')).toBeUndefined();
    expect(parse('<Calc>1<call>')).toBeUndefined();
    expect(parse('<call><request><Calc>1')).toBeUndefined();
    expect(parse('<call>')).toBeUndefined();
  });
});

describe('tool output text', () => {
  it('strips markers until none is left', () => {
    expect(stripMarkers('a<call>b<re<call>quest>c', ['<request>', '<call>'])).toBe('abc');
    expect(stripMarkers('plain', ['<call>', ''])).toBe('plain');
  });

  it('shortens to the character limit with an ellipsis, never splitting a code point', () => {
    expect(shortenToolText('abcdef', 6)).toBe('abcdef');
    expect(shortenToolText('abcdefg', 6)).toBe('abc...');
    expect(shortenToolText('😀😀😀😀😀', 4)).toBe('😀...');
  });
});

describe('callTool', () => {
  it('returns ok text, and errors for throws, rejections with non-Errors and non-strings', async () => {
    expect(await callTool(constantTool('A', 'fine'), 'q', 1000)).toMatchObject({
      status: 'ok',
      text: 'fine',
    });
    const thrower = {
      name: 'T',
      description: '',
      call: () => {
        throw new TypeError('bad');
      },
    };
    expect(await callTool(thrower, 'q', 1000)).toMatchObject({
      status: 'error',
      text: 'Tool error: T failed: bad',
    });
    const rejecter = { name: 'R', description: '', call: () => Promise.reject('nope') };
    expect(await callTool(rejecter, 'q', 1000)).toMatchObject({ text: 'Tool error: R failed: nope' });
    expect(await callTool(constantTool('N', null), 'q', 1000)).toMatchObject({
      status: 'error',
      text: 'Tool error: N returned null, not text.',
    });
    expect(await callTool(constantTool('O', ['x']), 'q', 1000)).toMatchObject({
      text: 'Tool error: O returned an array, not text.',
    });
  });

  it('passes the query and a live signal, and aborts the signal on timeout', async () => {
    const seen: { input: string; aborted: boolean }[] = [];
    const tool = {
      name: 'S',
      description: '',
      call: (input: string, { signal }: { signal: AbortSignal }) => {
        seen.push({ input, aborted: signal.aborted });
        return 'x';
      },
    };
    await callTool(tool, 'hello', 1000);
    expect(seen).toEqual([{ input: 'hello', aborted: false }]);
    const hanging = hangingTool('H');
    const outcome = await callTool(hanging, 'q', 5);
    expect(outcome).toMatchObject({ status: 'timeout', text: 'Tool timeout: H gave no answer within 5 ms.' });
    expect(hanging.signals[0]!.aborted).toBe(true);
    expect(hanging.signals[0]!.reason).toBeInstanceOf(Error);
  });
});

describe('cutAtFirstStop', () => {
  const tokenizer = new ByteTokenizer();
  const enc = (text: string) => tokenizer.encode(text);
  const eos = new Set([256]);

  it('leaves a row that ends at its stop unchanged', () => {
    expect(cutAtFirstStop(enc('a<call>'), ['<call>'], eos, tokenizer)).toEqual(enc('a<call>'));
  });

  it('cuts after the first stop string or eos, whichever comes first', () => {
    expect(cutAtFirstStop(enc('a<call>b<submit>'), ['<call>', '<submit>'], eos, tokenizer)).toEqual(
      enc('a<call>'),
    );
    expect(cutAtFirstStop([97, 256, ...enc('<call>')], ['<call>'], eos, tokenizer)).toEqual([97, 256]);
  });
});

describe('statsToMetrics', () => {
  it('flattens stats under env/', () => {
    const stats: TextEnvironmentStats = {
      tools: { Calc: { calls: 2, errors: 1, timeouts: 0, meanLatencyMs: 3 } },
      unknownTools: { A: 1, B: 2 },
      unparsableCalls: 1,
      turns: 3,
      endReasons: { submit: 1, eos: 0, 'no-call': 1, 'max-turns': 0, 'max-length': 0 },
      truncated: 0,
      meanModelTokens: 10,
      meanSystemTokens: 4,
    };
    expect(statsToMetrics(stats)).toEqual({
      'env/turns': 3,
      'env/truncated': 0,
      'env/unparsable_calls': 1,
      'env/unknown_tool_calls': 3,
      'env/mean_model_tokens': 10,
      'env/mean_system_tokens': 4,
      'env/end/submit': 1,
      'env/end/eos': 0,
      'env/end/no-call': 1,
      'env/end/max-turns': 0,
      'env/end/max-length': 0,
      'env/tools/Calc/calls': 2,
      'env/tools/Calc/errors': 1,
      'env/tools/Calc/timeouts': 0,
      'env/tools/Calc/mean_latency_ms': 3,
    });
  });
});

describe('toInt32Tensors', () => {
  beforeAll(() => initBackend('cpu'));

  it('makes one int32 tensor per row and leaks nothing once disposed', () => {
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step += 1) {
      const tensors = toInt32Tensors([[1, 2, 3], [4], []]);
      expect(tensors.map((tensor) => tensor.dtype)).toEqual(['int32', 'int32', 'int32']);
      expect(tensors.map((tensor) => tensor.arraySync())).toEqual([[1, 2, 3], [4], []]);
      tf.dispose(tensors);
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { formatMetricValue, ProgressBar } from '../src/io/index';

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 120, write: (chunk: string) => chunks.push(chunk) } };
}

describe('ProgressBar', () => {
  it('prints one plain line per step when the stream is not a TTY', () => {
    const { chunks, stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 10, stream });
    expect(bar.interactive).toBe(false);
    bar.update(1, { loss: 0.51234, kl: 0.01 });
    bar.update(2);
    bar.stop();
    expect(chunks).toEqual(['step 1/10 loss=0.5123 kl=0.01\n', 'step 2/10\n']);
  });

  it('honours every, always prints the last step, and orders metrics by keys', () => {
    const { chunks, stream } = fakeStream(false);
    const bar = new ProgressBar({ total: 5, stream, every: 2, label: 'epoch', keys: ['kl', 'loss'] });
    for (let step = 1; step <= 5; step++) bar.update(step, { loss: step, kl: step / 4, ignored: 1 });
    bar.stop();
    expect(chunks).toEqual([
      'epoch 2/5 kl=0.5 loss=2\n',
      'epoch 4/5 kl=1 loss=4\n',
      'epoch 5/5 kl=1.25 loss=5\n',
    ]);
  });

  it('draws a cli-progress bar on a TTY', () => {
    const { chunks, stream } = fakeStream(true);
    const bar = new ProgressBar({ total: 10, stream });
    expect(bar.interactive).toBe(true);
    bar.update(3, { loss: 0.5 });
    bar.stop();
    const output = chunks.join('');
    expect(output).toContain('3/10');
    expect(output).toContain('loss=0.5');
    expect(output).toContain('\u001b');
  });

  it('rejects bad options and use after stop', () => {
    const { stream } = fakeStream(false);
    expect(() => new ProgressBar({ total: -1, stream })).toThrow(/total/);
    expect(() => new ProgressBar({ total: 3, stream, every: 0 })).toThrow(/every/);
    const bar = new ProgressBar({ total: 3, stream });
    expect(() => bar.update(-2)).toThrow(/step/);
    bar.stop();
    expect(() => bar.update(1)).toThrow(/stopped/);
  });
});

describe('formatMetricValue', () => {
  it('keeps integers, rounds to 4 significant digits, uses exponents for tiny or huge values', () => {
    expect(formatMetricValue(128)).toBe('128');
    expect(formatMetricValue(0.123456)).toBe('0.1235');
    expect(formatMetricValue(-2.5)).toBe('-2.5');
    expect(formatMetricValue(1.5e-7)).toBe('1.500e-7');
    expect(formatMetricValue(12345678.9)).toBe('1.235e+7');
    expect(formatMetricValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });
});

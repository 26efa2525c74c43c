import { expect, it, vi } from 'vitest';
import { initBackend, tf } from '../src/index';

it("initBackend('cpu') keeps tfjs's run-tfjs-node banner off the console, not other warnings", async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    await initBackend('cpu');
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
    expect(sum).toEqual([4, 6]);
    const printed = warn.mock.calls.map((args) => args.map(String).join(' '));
    expect(printed.filter((line) => line.includes('running TensorFlow.js in Node.js'))).toEqual([]);
  } finally {
    warn.mockRestore();
  }
});

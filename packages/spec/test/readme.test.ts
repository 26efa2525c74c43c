import { expect, it } from 'vitest';
import {
  assertKnownKeys,
  SPECIFICATION_VERSION,
  type Tool,
  type ToolCallOptions,
  TrlConfigError,
} from '../src/index';

// The snippet of packages/spec/README.md, kept type-checked and runnable here (import path aside).

/** Options of the Reverse tool. */
interface ReverseOptions {
  /** Longest input accepted, in characters. Default 1000. */
  maxLength?: number;
}

/** Reverses the text the model sends: the smallest useful tool. */
function createReverse(options: ReverseOptions = {}): Tool {
  // Same message and error class (TrlConfigError) as every trl-ts package, with a did-you-mean.
  assertKnownKeys('Reverse', options, ['maxLength']);
  const maxLength = options.maxLength ?? 1000;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'Reverse',
    description: 'Reverses the text it is given, character by character.',
    call(input: string, { signal }: ToolCallOptions): string {
      signal.throwIfAborted();
      // A thrown error becomes text for the model; it never ends the episode.
      if (input.length > maxLength) throw new Error(`input is longer than ${maxLength} characters`);
      return [...input].reverse().join('');
    },
  };
}

it('README snippet: the Reverse tool answers and rejects a misspelt option', async () => {
  const reverse = createReverse();
  expect(await reverse.call('trl-ts', { signal: AbortSignal.timeout(1000) })).toBe('st-lrt');
  expect(() => createReverse({ maxLenght: 10 } as ReverseOptions)).toThrow(TrlConfigError);
  expect(() => createReverse({ maxLenght: 10 } as ReverseOptions)).toThrow(
    'Reverse: invalid options: maxLenght: unknown option; did you mean maxLength?',
  );
  const short = createReverse({ maxLength: 2 });
  expect(() => short.call('abc', { signal: new AbortController().signal })).toThrow('longer than 2');
});

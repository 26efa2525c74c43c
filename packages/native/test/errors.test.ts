import { TrlError } from '@trl/core';
import { expect, it } from 'vitest';
import { registerNativeKernels } from '../src/index';

it('bad registerNativeKernels options are a TrlError with a code, keeping the message', () => {
  const register = () => registerNativeKernels({ minRows: -1 });
  expect(register).toThrow(TrlError);
  expect(register).toThrow(
    expect.objectContaining({
      name: 'TrlError',
      code: 'invalid-value',
      message: 'registerNativeKernels: invalid options — minRows: Too small: expected number to be >=0',
    }),
  );
});

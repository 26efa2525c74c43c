import { TrlError } from '@trl/core';
import { expect, it } from 'vitest';
import { nativeAddon, registerNativeKernels } from '../src/index';

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

it('the addon names the create call and the bad argument for both decoders', () => {
  const addon = nativeAddon()!;
  const gpt2Dims = Int32Array.of(1, 4, 2, 10, 8, 8, 1, 8);
  const rotaryDims = Int32Array.of(1, 4, 2, 1, 2, 10, 8, 1, 8);
  expect(() => addon.decoderCreate(Int32Array.of(1, 2), 1e-5, [], false)).toThrow(
    'decoderCreate: dims must have 8 entries',
  );
  expect(() => addon.decoderCreate(Int32Array.of(1, 4, 2, 10, 8, 8, 1, 0), 1e-5, [], false)).toThrow(
    'decoderCreate: every dim must be at least 1',
  );
  expect(() => addon.decoderCreate(gpt2Dims, 1e-5, [], false)).toThrow(
    /^decoderCreate: weights must be an array of \d+ Float32Arrays$/,
  );
  expect(() => addon.rotaryDecoderCreate(rotaryDims, 1e-5, [new Float32Array(3)])).toThrow(
    /^rotaryDecoderCreate: weights must be an array of \d+ entries$/,
  );
  expect(() => addon.rotaryDecoderCreate(Int32Array.of(1, 4, 2, 1, 2, 10, 8, 1e6, 1e6), 1e-5, [])).toThrow(
    'rotaryDecoderCreate: the cache would exceed 4 GB; lower maxRows or maxSlots',
  );
  const slots = Array.from({ length: 22 }, () => new Float32Array(1));
  expect(() => addon.rotaryDecoderCreate(rotaryDims, 1e-5, slots)).toThrow(
    /^rotaryDecoderCreate: weights\[0\] has 1 floats, expected \d+$/,
  );
});

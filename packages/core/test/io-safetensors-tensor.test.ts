import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import {
  parseSafetensors,
  safetensorToTensor,
  serializeSafetensors,
  tensorToSafetensor,
} from '../src/io/index';
import { describeEachBackend } from './helpers/backends';

describeEachBackend('safetensors ⇄ tf.Tensor', () => {
  it('round-trips float32, int32 and bool tensors through a file in every storable dtype', () => {
    const before = tf.memory().numTensors;
    const weights = tf.tensor2d([
      [0.5, -1.25],
      [3, 1e-3],
    ]);
    const ids = tf.tensor1d([0, 7, -3], 'int32');
    const mask = tf.tensor1d([1, 0, 1], 'bool');
    const bytes = serializeSafetensors({
      w: tensorToSafetensor(weights),
      w16: tensorToSafetensor(weights, 'F16'),
      wb16: tensorToSafetensor(weights, 'BF16'),
      ids: tensorToSafetensor(ids, 'I64'),
      ids32: tensorToSafetensor(ids),
      mask: tensorToSafetensor(mask),
    });
    const file = parseSafetensors(bytes);
    expect(file.tensors.get('ids')?.dtype).toBe('I64');
    const back = Object.fromEntries(
      [...file.tensors].map(([name, entry]) => [name, safetensorToTensor(entry, name)]),
    );
    expect(back.w?.dtype).toBe('float32');
    expect(back.w?.shape).toEqual([2, 2]);
    expect([...(back.w?.dataSync() ?? [])]).toEqual([...weights.dataSync()]);
    // 0.5, -1.25 and 3 are exact in both 16-bit formats; 1e-3 is rounded.
    expect([...(back.w16?.dataSync() ?? [])].slice(0, 3)).toEqual([0.5, -1.25, 3]);
    expect(back.w16?.dataSync()[3]).toBeCloseTo(1e-3, 6);
    expect(back.wb16?.dataSync()[3]).toBeCloseTo(1e-3, 5);
    expect(back.ids?.dtype).toBe('int32');
    expect([...(back.ids?.dataSync() ?? [])]).toEqual([0, 7, -3]);
    expect([...(back.ids32?.dataSync() ?? [])]).toEqual([0, 7, -3]);
    expect(back.mask?.dtype).toBe('bool');
    expect([...(back.mask?.dataSync() ?? [])]).toEqual([1, 0, 1]);
    tf.dispose([weights, ids, mask, ...Object.values(back)]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('refuses values tfjs cannot hold and dtypes that cannot store the tensor', () => {
  const big = { dtype: 'I64' as const, shape: [2], values: new BigInt64Array([1n, 2n ** 40n]) };
  expect(() => safetensorToTensor(big, 'position_ids')).toThrow(/"position_ids".*flat index 1.*int32/);
  const floats = tf.tensor1d([1, 2]);
  expect(() => tensorToSafetensor(floats, 'I64')).toThrow(/dtype.*I64.*float32/);
  floats.dispose();
  expect(() => tensorToSafetensor(floats)).toThrow(/live tf\.Tensor/);
});

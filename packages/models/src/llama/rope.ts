import { tf } from '@trl/core';
import type { RopeSettings } from './config';

/**
 * RoPE's inverse frequencies `theta^(-2i/d)` for the `d/2` rotated pairs, with the config's
 * scaling. Computed in double precision and rounded to float32 once per value, which matches
 * transformers' float32 computation to the last bit or so.
 */
export function inverseFrequencies(rope: RopeSettings, headDim: number): Float32Array {
  const half = headDim / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const base = 1 / rope.theta ** ((2 * i) / headDim);
    out[i] = scaledFrequency(rope, base);
  }
  return out;
}

/** One inverse frequency after linear or llama3 scaling. */
function scaledFrequency(rope: RopeSettings, frequency: number): number {
  switch (rope.type) {
    case 'default':
      return frequency;
    case 'linear':
      // Dividing the frequency is the same as dividing the positions by `factor`.
      return frequency / rope.factor;
    case 'llama3': {
      // Long wavelengths (low frequencies) are slowed by `factor`, short ones kept, and the band in
      // between interpolated, so the pretrained context's short-range behaviour is preserved.
      const wavelength = (2 * Math.PI) / frequency;
      const lowFrequencyWavelength = rope.originalMaxPositions / rope.lowFreqFactor;
      const highFrequencyWavelength = rope.originalMaxPositions / rope.highFreqFactor;
      if (wavelength < highFrequencyWavelength) return frequency;
      if (wavelength > lowFrequencyWavelength) return frequency / rope.factor;
      const smooth =
        (rope.originalMaxPositions / wavelength - rope.lowFreqFactor) /
        (rope.highFreqFactor - rope.lowFreqFactor);
      return ((1 - smooth) * frequency) / rope.factor + smooth * frequency;
    }
  }
}

/** Cosines and sines of every position's angles, `[batch, 1, seq, head_dim]` (broadcast over heads). */
export interface RotaryTables {
  /** cos(position · frequency), each frequency twice (both halves of the head). */
  readonly cos: tf.Tensor4D;
  /** sin(position · frequency), laid out as `cos`. */
  readonly sin: tf.Tensor4D;
}

/** The rotation tables for `positionIds` `[batch, seq]` (int32). Call inside `tf.tidy`. */
export function rotaryTables(positionIds: tf.Tensor2D, frequencies: Float32Array): RotaryTables {
  const [batch, seq] = positionIds.shape;
  const positions = tf.reshape(tf.cast(positionIds, 'float32'), [batch, seq, 1]);
  const angles = tf.mul(positions, tf.tensor1d(frequencies));
  const both = tf.concat([angles, angles], -1);
  const shape: [number, number, number, number] = [batch, 1, seq, frequencies.length * 2];
  return {
    cos: tf.reshape(tf.cos(both), shape) as tf.Tensor4D,
    sin: tf.reshape(tf.sin(both), shape) as tf.Tensor4D,
  };
}

/**
 * Rotates each (x_i, x_{i+d/2}) pair of `x` `[batch, heads, seq, head_dim]` by its angle: the
 * half-split layout of transformers' `rotate_half`, not interleaved pairs.
 */
export function applyRotary(x: tf.Tensor4D, tables: RotaryTables): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [first, second] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([tf.neg(second!), first!], 3);
  return tf.add(tf.mul(x, tables.cos), tf.mul(rotated, tables.sin)) as tf.Tensor4D;
}

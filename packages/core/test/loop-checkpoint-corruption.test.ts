import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '@trl/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test-kit/src/scratch';
import { initBackend } from '../src/engine/index';
import { assertFiniteTensor, countNonFinite } from '../src/io/safetensors/finite';
import { readSafetensors } from '../src/io/safetensors/parse';
import { writeSafetensors } from '../src/io/safetensors/serialize';
import type { SafetensorEntry } from '../src/io/safetensors/types';
import { CHECKPOINT_FILES, type LoopState, loadCheckpoint, saveCheckpoint } from '../src/loop/checkpoint';
import { AdamW } from '../src/train/index';
import { Rng } from '../src/train/rng';

const root = scratchDir('loop-ckpt-corrupt-');
beforeAll(() => initBackend('cpu'));

describe('countNonFinite / assertFiniteTensor', () => {
  it('counts NaN and both infinities and reports the first index', () => {
    expect(countNonFinite(new Float32Array([1, 2, 3]))).toEqual({ count: 0, first: -1 });
    expect(countNonFinite([0, Number.NaN, 1, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY])).toEqual({
      count: 3,
      first: 1,
    });
    expect(() => assertFiniteTensor([1, Number.NaN], 'w.safetensors: "a"', 'fix it.')).toThrow(
      'w.safetensors: "a" holds 1 NaN or infinite value(s) (first at flat index 1: NaN); fix it.',
    );
  });
});

describe('loadCheckpoint refuses corrupt parameters, naming them', () => {
  async function saved(name: string) {
    const variable = tf.variable(tf.tensor1d([1, 2, 3, 4]));
    const parameters: NamedVariable[] = [{ name: 'layer.weight', variable, decay: true }];
    const optimizer = new AdamW(parameters, { learningRate: 0.1 });
    const state: LoopState = {
      format: 'trl-ts-trainer-state-v1',
      globalStep: 1,
      epoch: 1,
      totalSteps: 2,
      updatesPerEpoch: 1,
      trainExamples: 1,
      dataSeed: 0,
      rng: new Rng(0).getState(),
      logHistory: [],
    };
    const dir = await saveCheckpoint(
      join(root, name),
      { parameters, optimizer, state, saveModel: async () => {} },
      undefined,
    );
    return { dir, parameters, optimizer, variable };
  }

  async function corrupt(dir: string, entry: SafetensorEntry) {
    const path = join(dir, CHECKPOINT_FILES.trainable);
    const file = await readSafetensors(path);
    await writeSafetensors(path, { 'layer.weight': entry }, file.metadata);
  }

  it.each([
    [
      'NaN',
      { dtype: 'F32', shape: [4], values: new Float32Array([1, Number.NaN, 3, 4]) },
      /"layer\.weight".*holds 1 NaN or infinite value\(s\) \(first at flat index 1/,
    ],
    [
      'I32',
      { dtype: 'I32', shape: [4], values: new Int32Array([1, 2, 3, 4]) },
      /"layer\.weight" is stored as I32.*expected F32/,
    ],
  ] as [string, SafetensorEntry, RegExp][])('%s', async (name, entry, message) => {
    const { dir, parameters, optimizer, variable } = await saved(name);
    variable.assign(tf.tensor1d([9, 9, 9, 9]));
    await corrupt(dir, entry);
    await expect(loadCheckpoint(dir, parameters, optimizer)).rejects.toThrow(message);
    // Nothing was changed.
    expect(Array.from(variable.dataSync())).toEqual([9, 9, 9, 9]);
    optimizer.dispose();
    variable.dispose();
  });
});

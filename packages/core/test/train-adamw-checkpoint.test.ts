import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { writeSafetensors } from '../src/io/safetensors/serialize';
import { AdamW } from '../src/train/adamw';
import { loadAdamWState, saveAdamWState } from '../src/train/adamw-checkpoint';

it('saveAdamWState/loadAdamWState round-trip a state that resumes training exactly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trl-adamw-'));
  const variables: tf.Variable[] = [
    tf.variable(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    ),
    tf.variable(tf.tensor1d([0.5])),
  ];
  const clones = variables.map((variable) => tf.variable(variable.clone()));
  try {
    const params = [
      { name: 'h.0.weight', variable: variables[0] as tf.Variable, decay: true },
      { name: 'h.0.bias', variable: variables[1] as tf.Variable, decay: false },
    ];
    const optimizer = new AdamW(params, { learningRate: 0.01 });
    const grads = {
      'h.0.weight': tf.tensor2d([
        [0.1, -0.2],
        [0.3, 0.4],
      ]),
      'h.0.bias': tf.tensor1d([-1]),
    };
    optimizer.step(grads);
    optimizer.step({ 'h.0.weight': grads['h.0.weight'] });
    const path = join(dir, 'checkpoint-2', 'optimizer.safetensors');
    await saveAdamWState(path, optimizer.getState());
    const loaded = await loadAdamWState(path);
    expect(loaded).toEqual(optimizer.getState());
    expect(loaded.parameters['h.0.weight']?.step).toBe(2);
    expect(loaded.parameters['h.0.bias']?.step).toBe(1);

    // Restore into a fresh optimizer over copies of the weights and take the same step on both.
    for (const [index, clone] of clones.entries()) clone.assign(variables[index] as tf.Variable);
    const resumed = new AdamW(
      [
        { name: 'h.0.weight', variable: clones[0] as tf.Variable, decay: true },
        { name: 'h.0.bias', variable: clones[1] as tf.Variable, decay: false },
      ],
      { learningRate: 1 },
    );
    resumed.loadState(loaded);
    optimizer.step(grads);
    resumed.step(grads);
    for (const [index, clone] of clones.entries()) {
      expect([...clone.dataSync()]).toEqual([...(variables[index] as tf.Variable).dataSync()]);
    }
    tf.dispose(Object.values(grads));
    optimizer.dispose();
    resumed.dispose();

    const notOptimizer = join(dir, 'model.safetensors');
    await writeSafetensors(
      notOptimizer,
      { w: { dtype: 'F32', shape: [1], values: new Float32Array([1]) } },
      { format: 'pt' },
    );
    await expect(loadAdamWState(notOptimizer)).rejects.toThrow(/model\.safetensors.*not an AdamW state file/);
  } finally {
    tf.dispose([...variables, ...clones]);
    await rm(dir, { recursive: true, force: true });
  }
});

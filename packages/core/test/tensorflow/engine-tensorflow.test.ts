// Runs in the suite's TensorFlow pass only (TRL_TEST_BACKEND=node, after tooling/tfjs-node/setup.mjs):
// these are facts about the tensorflow backend itself.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getBackendInfo, initBackend } from '../../src/engine/index';

describe('the tensorflow backend', () => {
  it("is what 'auto' picks when tfjs-node is installed, on the same tfjs engine as @trl/core", async () => {
    await tf.setBackend('cpu'); // forget any earlier explicit choice
    const info = await initBackend('auto');
    expect(info).toMatchObject({ name: 'node', tfBackend: 'tensorflow' });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(getBackendInfo()).toBe(info);
    const product = tf.matMul(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor2d([
        [5, 6],
        [7, 8],
      ]),
    );
    expect(product.arraySync()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    product.dispose();
  });

  it("silences TensorFlow's C++ log lines unless the user set the level", () => {
    expect(process.env.TF_CPP_MIN_LOG_LEVEL).toBe('2');
  });

  it('rounds int32 tensors to themselves and floats half to even, as the other backends do', async () => {
    await initBackend('node');
    const ints = tf.tensor1d([-3, 0, 7, 2147483647], 'int32');
    const rounded = tf.round(ints);
    expect(rounded.dtype).toBe('int32');
    expect(Array.from(await rounded.data())).toEqual([-3, 0, 7, 2147483647]);
    const floats = tf.round(tf.tensor1d([0.5, 1.5, 2.5, -0.5, 1.2]));
    expect(Array.from(await floats.data())).toEqual([0, 2, 2, -0, 1]);
    tf.dispose([ints, rounded, floats]);
  });

  it("loads whatever the application's own command line says (node-pre-gyp reads process.argv)", () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const script = fileURLToPath(new URL('./helpers/start-node-backend.ts', import.meta.url));
    const run = spawnSync(process.execPath, [tsx, script, '--dir', '/nonexistent', '--target', '1.0.0'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/failed to load/);
    expect(run.stdout.trim()).toBe('tensorflow');
    expect(process.argv).not.toContain('/nonexistent');
  });
});

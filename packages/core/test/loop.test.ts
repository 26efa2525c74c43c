import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '@trl/spec';
import { beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../test-kit/src/scratch';
// By path: the kit depends on @trl/core, so core cannot depend on the kit.
import { abortingTracker, collectingTracker } from '../../test-kit/src/trackers';
import { initBackend } from '../src/engine/index';
import { epochOrder, microBatchesOfStep, planSteps } from '../src/loop/data-order';
import { runTrainingLoop } from '../src/loop/train-loop';
import { type TrainingArgumentsInput, trainingArgumentsSchema } from '../src/loop/training-arguments';
import type { TrainingTask } from '../src/loop/training-task';

interface Point {
  x: number[];
  y: number;
}

/** y = w·x + b with a squared loss; the rng adds input noise in training, so resume must restore it. */
function regressionTask(weights: tf.Variable, bias: tf.Variable): TrainingTask<Point, Point[]> {
  const parameters: NamedVariable[] = [
    { name: 'w', variable: weights, decay: true },
    { name: 'b', variable: bias, decay: false },
  ];
  return {
    name: 'regression',
    parameters: () => parameters,
    collate: (examples) => [...examples],
    computeLoss(batch, { training, rng }) {
      const x = tf.tensor2d(batch.map((p) => p.x.map((v) => v + (training ? 0.01 * rng.normal() : 0))));
      const y = tf.tensor1d(batch.map((p) => p.y));
      const prediction = tf.add(tf.squeeze(tf.matMul(x, weights), [1]), bias);
      const error = tf.sub(prediction, y);
      const loss = tf.mean(tf.square(error)) as tf.Scalar;
      return { loss, metrics: { mae: tf.mean(tf.abs(error)) as tf.Scalar } };
    },
    finishEvalMetrics: (averaged) => ({ ...averaged, rmse: Math.sqrt(averaged.loss ?? 0) }),
    saveModel: async () => undefined,
  };
}

const points: Point[] = Array.from({ length: 10 }, (_, index) => {
  const x = [index / 10, (index % 3) - 1];
  return { x, y: 2 * (x[0] as number) - 0.5 * (x[1] as number) + 0.3 };
});

function freshVariables(): [tf.Variable, tf.Variable] {
  return [tf.variable(tf.tensor2d([[0.1], [-0.2]])), tf.variable(tf.tensor1d([0]))];
}

function args(outputDir: string, overrides: TrainingArgumentsInput = {}) {
  return trainingArgumentsSchema.parse({
    outputDir,
    learningRate: 0.05,
    perDeviceTrainBatchSize: 2,
    gradientAccumulationSteps: 2,
    maxSteps: 7,
    warmupSteps: 2,
    loggingSteps: 1,
    saveSteps: 2,
    reportTo: ['none'],
    disableTqdm: true,
    ...overrides,
  });
}

const dir = scratchDir('trl-loop-');
beforeAll(() => initBackend('cpu'));

describe('step plan and data order', () => {
  it('splits epochs into accumulated micro-batches, the last step taking the remainder', () => {
    const plan = planSteps(10, 2, 2, 3, -1);
    expect(plan).toEqual({ batchesPerEpoch: 5, updatesPerEpoch: 3, totalSteps: 9 });
    const order = epochOrder(10, 1, 0);
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(microBatchesOfStep(2, order, plan, 2, 2)).toEqual([order.slice(8, 10)]);
    expect(microBatchesOfStep(3, order, plan, 2, 2)).toEqual([order.slice(0, 2), order.slice(2, 4)]);
    expect(epochOrder(10, 1, 1)).not.toEqual(order);
    expect(epochOrder(10, 1, 1)).toEqual(epochOrder(10, 1, 1));
  });
});

describe('runTrainingLoop', () => {
  it('lowers the loss and logs loss, learning rate, grad norm and eval metrics', async () => {
    const [w, b] = freshVariables();
    const { tracker, logged } = collectingTracker();
    const result = await runTrainingLoop({
      task: regressionTask(w, b),
      args: args(join(dir, 'falls'), {
        maxSteps: 40,
        learningRate: 0.1,
        evalStrategy: 'steps',
        evalSteps: 20,
        saveStrategy: 'no',
      }),
      trainExamples: points,
      evalExamples: points.slice(0, 4),
      tracker,
    });
    const losses = logged.filter(([m]) => 'loss' in m).map(([m]) => m.loss as number);
    expect(result.globalStep).toBe(40);
    expect(losses).toHaveLength(40);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) / 5);
    const [firstLog] = logged;
    expect(firstLog?.[0].learning_rate).toBeCloseTo(0, 12); // warmup starts at 0
    expect(logged[1]?.[0].learning_rate).toBeCloseTo(0.05, 12);
    expect(firstLog?.[0].grad_norm).toBeGreaterThan(0);
    const evals = logged.filter(([m]) => 'eval_loss' in m);
    expect(evals.map(([, step]) => step)).toEqual([20, 40]);
    expect(evals[1]?.[0].eval_rmse).toBeCloseTo(Math.sqrt(evals[1]?.[0].eval_loss as number), 10);
    expect(evals[1]?.[0].eval_mae).toBeGreaterThan(0);
    tf.dispose([w, b]);
  });

  it('resumes an interrupted run to the same weights as an uninterrupted one', async () => {
    const [w1, b1] = freshVariables();
    await runTrainingLoop({
      task: regressionTask(w1, b1),
      args: args(join(dir, 'straight')),
      trainExamples: points,
    });

    const [w2, b2] = freshVariables();
    const controller = new AbortController();
    const stopper = abortingTracker(5, controller);
    const out = join(dir, 'interrupted');
    const first = await runTrainingLoop({
      task: regressionTask(w2, b2),
      args: args(out),
      trainExamples: points,
      tracker: stopper,
      signal: controller.signal,
    });
    expect(first).toMatchObject({ interrupted: true, globalStep: 5 });
    expect((await readdir(out)).sort()).toEqual(['checkpoint-2', 'checkpoint-4']);

    // A new process: fresh variables, restored from checkpoint-4 (weights, moments, rng, position).
    const [w3, b3] = [tf.variable(tf.zeros([2, 1])), tf.variable(tf.zeros([1]))];
    const resumed = await runTrainingLoop({
      task: regressionTask(w3, b3),
      args: args(out, { resumeFromCheckpoint: true }),
      trainExamples: points,
    });
    expect(resumed).toMatchObject({ interrupted: false, globalStep: 7 });
    const expected = [...w1.dataSync(), ...b1.dataSync()];
    const actual = [...w3.dataSync(), ...b3.dataSync()];
    for (const [index, value] of actual.entries())
      expect(Math.abs(value - (expected[index] as number))).toBeLessThan(1e-6);
    // Not trivially equal to where the interruption left off.
    expect([...w2.dataSync()]).not.toEqual([...w1.dataSync()]);
    const state = JSON.parse(await readFile(join(out, 'checkpoint-6', 'trainer_state.json'), 'utf8'));
    expect(state).toMatchObject({ globalStep: 6, totalSteps: 7, updatesPerEpoch: 3, dataSeed: 42 });
    expect(state.logHistory.map((entry: { step: number }) => entry.step)).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([w1, b1, w2, b2, w3, b3]);
  });

  it('keeps only the newest saveTotalLimit checkpoints and leaves no temporary directories', async () => {
    const [w, b] = freshVariables();
    const out = join(dir, 'rotate');
    await runTrainingLoop({
      task: regressionTask(w, b),
      args: args(out, { saveSteps: 1, saveTotalLimit: 2 }),
      trainExamples: points,
    });
    expect((await readdir(out)).sort()).toEqual(['checkpoint-6', 'checkpoint-7']);
    expect((await readdir(join(out, 'checkpoint-7'))).sort()).toEqual([
      'optimizer.safetensors',
      'trainable.safetensors',
      'trainer_state.json',
    ]);
    tf.dispose([w, b]);
  });

  it('refuses a checkpoint made with other data, and an empty dataset, before changing anything', async () => {
    const [w, b] = freshVariables();
    await expect(
      runTrainingLoop({
        task: regressionTask(w, b),
        args: args(join(dir, 'rotate'), { resumeFromCheckpoint: true }),
        trainExamples: points.slice(0, 6),
      }),
    ).rejects.toThrow(/trainExamples is 10 but this run has 6/);
    expect([...w.dataSync()]).toEqual([...Float32Array.from([0.1, -0.2])]); // untouched
    await expect(
      runTrainingLoop({ task: regressionTask(w, b), args: args(join(dir, 'empty')), trainExamples: [] }),
    ).rejects.toThrow(/training dataset is empty/);
    await expect(
      runTrainingLoop({
        task: regressionTask(w, b),
        args: args(join(dir, 'none'), { resumeFromCheckpoint: true }),
        trainExamples: points,
      }),
    ).rejects.toThrow(/no checkpoint-<step> directory/);
    tf.dispose([w, b]);
  });

  it('leaves no tensors behind across steps', async () => {
    const [w, b] = freshVariables();
    const task = regressionTask(w, b);
    const before = tf.memory().numTensors;
    await runTrainingLoop({
      task,
      args: args(join(dir, 'leak1'), { saveStrategy: 'no', maxSteps: 2 }),
      trainExamples: points,
    });
    const afterTwo = tf.memory().numTensors;
    await runTrainingLoop({
      task,
      args: args(join(dir, 'leak2'), { saveStrategy: 'no', maxSteps: 8 }),
      trainExamples: points,
    });
    expect(tf.memory().numTensors).toBe(afterTwo);
    expect(afterTwo).toBe(before);
    tf.dispose([w, b]);
  });

  it('names the bad field of invalid arguments', () => {
    expect(() => trainingArgumentsSchema.parse({ learningRate: -1 })).toThrow(/learningRate/);
  });
});

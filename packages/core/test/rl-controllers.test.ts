import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdaptiveKLController, FixedKLController, RunningMoments } from '../src/rl/index';
import { expectParity, loadRlMathFixture } from './fixtures/rl-math/fixture';

const { expected } = loadRlMathFixture();
const TIGHT = { rel: 1e-12, abs: 1e-15 };

describe('AdaptiveKLController', () => {
  it('reproduces the fixture coefficient after each update, clipping the error to ±0.2', () => {
    const { init, target, horizon, n_steps, current_kls, values_after_each } = expected.adaptive_kl;
    const controller = new AdaptiveKLController(init, target, horizon);
    expect(controller.value).toBe(init);
    current_kls.forEach((kl, i) => {
      controller.update(kl, n_steps);
      expectParity(`value after update ${i}`, controller.value, values_after_each[i] as number, TIGHT);
    });
  });

  it('derives one step by hand: KL 7 against target 6 raises the coefficient by (1/6) * 256 / 10000', () => {
    const controller = new AdaptiveKLController(0.2, 6, 10000);
    controller.update(7, 256);
    expect(controller.value).toBeCloseTo(0.2 * (1 + (1 / 6) * 0.0256), 15);
  });

  it('uses TRL defaults and round-trips its state', () => {
    const controller = new AdaptiveKLController();
    expect([controller.value, controller.target, controller.horizon]).toEqual([0.2, 6, 10000]);
    controller.update(20, 256);
    const restored = new AdaptiveKLController();
    restored.load(controller.state());
    expect(restored.value).toBe(controller.value);
    expect(() => restored.load({ value: Number.NaN })).toThrow(/AdaptiveKLController\.load: invalid `state`/);
  });

  it('rejects bad arguments by name', () => {
    expect(() => new AdaptiveKLController(0.2, 0, 10000)).toThrow(/`target` must be > 0/);
    expect(() => new AdaptiveKLController(0.2, 6, -1)).toThrow(/`horizon` must be > 0/);
    expect(() => new AdaptiveKLController(Number.NaN)).toThrow(/`initKlCoef` must be a finite number/);
    expect(() => new AdaptiveKLController().update(Number.NaN, 1)).toThrow(/`currentKl`/);
    expect(() => new AdaptiveKLController().update(1, -1)).toThrow(/`nSteps` must be >= 0/);
  });
});

describe('FixedKLController', () => {
  it('never changes its value and round-trips its state', () => {
    const controller = new FixedKLController(0.05);
    for (const kl of expected.adaptive_kl.current_kls) controller.update(kl, 256);
    expect(controller.value).toBe(0.05);
    const restored = new FixedKLController();
    expect(restored.value).toBe(0.2);
    restored.load(controller.state());
    expect(restored.value).toBe(0.05);
    expect(() => new FixedKLController(-1)).toThrow(/`klCoef` must be >= 0/);
  });
});

describe('RunningMoments', () => {
  it('matches the fixture after each batch (tensor input), and returns the batch moments', () => {
    const moments = new RunningMoments();
    for (const [i, step] of expected.running_moments.entries()) {
      const batch = tf.tensor1d(step.batch, 'float32');
      const returned = moments.update(batch);
      batch.dispose();
      // float32 input: the batch values themselves are rounded, hence float32-level tolerance.
      expectParity(`mean ${i}`, moments.mean, step.mean);
      expectParity(`std ${i}`, moments.std, step.std);
      expectParity(`var ${i}`, moments.var, step.var);
      expectParity(`count ${i}`, moments.count, step.count);
      expectParity(`returned mean ${i}`, returned.mean, step.returned_mean);
      expectParity(`returned std ${i}`, returned.std, step.returned_std);
    }
  });

  it('matches the fixture to float64 precision with number arrays', () => {
    const moments = new RunningMoments();
    for (const [i, step] of expected.running_moments.entries()) {
      const returned = moments.update(step.batch);
      expectParity(`mean ${i}`, moments.mean, step.mean, TIGHT);
      expectParity(`std ${i}`, moments.std, step.std, TIGHT);
      expectParity(`var ${i}`, moments.var, step.var, TIGHT);
      expectParity(`returned std ${i}`, returned.std, step.returned_std, TIGHT);
    }
  });

  it('equals the moments of all data seen at once, and resumes from a checkpoint', () => {
    const all = expected.running_moments.flatMap((step) => step.batch);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sampleVar = all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1);

    const first = new RunningMoments();
    first.update(expected.running_moments[0]!.batch);
    const resumed = RunningMoments.fromState(JSON.parse(JSON.stringify(first.state())));
    resumed.update(expected.running_moments[1]!.batch);
    expect(resumed.mean).toBeCloseTo(mean, 12);
    expect(resumed.std).toBeCloseTo(Math.sqrt(sampleVar), 12);
    expect(resumed.count).toBe(all.length);
  });

  it('refuses empty batches, NaN values and corrupt states by name', () => {
    const moments = new RunningMoments();
    expect(() => moments.update([])).toThrow(/RunningMoments\.update: `batch` is empty/);
    expect(() => moments.update([1, Number.NaN])).toThrow(/`batch` holds NaN at index 1/);
    expect(() => moments.load({ mean: 0, std: 1, var: 1, count: 0 })).toThrow(
      /RunningMoments\.load: invalid `state`/,
    );
    expect(moments.state()).toEqual({ mean: 0, std: 1, var: 1, count: 1e-24 });
  });

  it('returns a NaN batch std for a single value, as TRL does', () => {
    const returned = new RunningMoments().update([3]);
    expect(returned.mean).toBe(3);
    expect(returned.std).toBeNaN();
  });
});

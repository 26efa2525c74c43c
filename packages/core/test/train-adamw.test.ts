import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '@trl/spec';
import { afterEach, expect, it } from 'vitest';
import { AdamW } from '../src/train/adamw';
import { describeEachBackend } from './helpers/backends';

/** torch.optim.AdamW's update, in float64, written out independently of the implementation. */
function referenceAdamW(
  initial: number[],
  gradients: number[][],
  {
    lr,
    beta1,
    beta2,
    eps,
    weightDecay,
  }: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): number[][] {
  const p = [...initial];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const history: number[][] = [];
  gradients.forEach((g, index) => {
    const t = index + 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      p[i] = (p[i] as number) * (1 - lr * weightDecay);
      m[i] = beta1 * (m[i] as number) + (1 - beta1) * gi;
      v[i] = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
      const denominator = Math.sqrt(v[i] as number) / Math.sqrt(1 - beta2 ** t) + eps;
      p[i] = (p[i] as number) - (lr / (1 - beta1 ** t)) * ((m[i] as number) / denominator);
    }
    history.push([...p]);
  });
  return history;
}

const HYPER = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
const INITIAL = [1, -2, 0.5];
const GRADIENTS = [
  [0.1, -0.2, 0.3],
  [-0.5, 0.4, 0],
  [1, 1, -3],
];

const created: tf.Variable[] = [];
function parameter(name: string, values: number[], decay = true): NamedVariable {
  const variable = tf.variable(tf.tensor1d(values));
  created.push(variable);
  return { name, variable, decay };
}

afterEach(() => {
  for (const variable of created.splice(0)) variable.dispose();
});

function stepWith(optimizer: AdamW, grads: Record<string, number[]>): void {
  const tensors = Object.fromEntries(
    Object.entries(grads).map(([name, values]) => [name, tf.tensor1d(values)]),
  );
  optimizer.step(tensors);
  tf.dispose(Object.values(tensors));
}

describeEachBackend('AdamW', () => {
  it('first step moves each weight by lr·sign(g) after decoupled decay (hand-derived)', () => {
    const weight = parameter('w', INITIAL);
    const optimizer = new AdamW([weight], { learningRate: 0.1 });
    stepWith(optimizer, { w: GRADIENTS[0] as number[] });
    // At t = 1 the bias-corrected moments are g and g², so the step is lr·g/(|g| + ε).
    const expected = INITIAL.map((p, i) => {
      const g = (GRADIENTS[0] as number[])[i] as number;
      return p * (1 - 0.1 * 0.01) - (0.1 * g) / (Math.abs(g) + 1e-8);
    });
    expect(expected[0]).toBeCloseTo(0.89900001, 8);
    const actual = weight.variable.dataSync();
    expected.forEach((value, i) => {
      expect(actual[i]).toBeCloseTo(value, 6);
    });
    optimizer.dispose();
  });

  it('matches the float64 torch formulas over three steps, with and without decay', () => {
    const weight = parameter('w', INITIAL);
    const bias = parameter('b', INITIAL, false);
    const optimizer = new AdamW([weight, bias], { learningRate: HYPER.lr, weightDecay: HYPER.weightDecay });
    const withDecay = referenceAdamW(INITIAL, GRADIENTS, HYPER);
    const withoutDecay = referenceAdamW(INITIAL, GRADIENTS, { ...HYPER, weightDecay: 0 });
    GRADIENTS.forEach((g, index) => {
      stepWith(optimizer, { w: g, b: g });
      const w = weight.variable.dataSync();
      const b = bias.variable.dataSync();
      (withDecay[index] as number[]).forEach((value, i) => {
        expect(w[i]).toBeCloseTo(value, 5);
      });
      (withoutDecay[index] as number[]).forEach((value, i) => {
        expect(b[i]).toBeCloseTo(value, 5);
      });
    });
    // Decay made a measurable difference, so the flag was honoured.
    expect(
      Math.abs((weight.variable.dataSync()[1] as number) - (bias.variable.dataSync()[1] as number)),
    ).toBeGreaterThan(1e-3);
    expect(optimizer.stepCount).toBe(3);
    optimizer.dispose();
  });

  it('keeps the number of tensors stable across steps and frees its moments on dispose', () => {
    const weight = parameter('w', INITIAL);
    const bias = parameter('b', [0, 0, 0], false);
    const optimizer = new AdamW([weight, bias], { learningRate: 1e-3 });
    const before = tf.memory().numTensors;
    stepWith(optimizer, { w: [1, 2, 3], b: [1, 1, 1] });
    const afterFirst = tf.memory().numTensors;
    // Two moment tensors per parameter, nothing else.
    expect(afterFirst - before).toBe(4);
    for (let step = 0; step < 5; step++) stepWith(optimizer, { w: [1, 2, 3], b: [1, 1, 1] });
    expect(tf.memory().numTensors).toBe(afterFirst);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts tf.variableGrads output keyed by tfjs variable names and skips parameters without grads', () => {
    const weight = parameter('transformer.w', [1, 2]);
    const frozenLike = parameter('transformer.unused', [5, 5]);
    const optimizer = new AdamW([weight, frozenLike], { learningRate: 0.5, weightDecay: 0 });
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(weight.variable)), [weight.variable]);
    expect(Object.keys(grads)).toEqual([weight.variable.name]);
    optimizer.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
    // Positive gradients, first step: each weight drops by ~lr.
    const w = weight.variable.dataSync();
    expect(w[0]).toBeCloseTo(0.5, 5);
    expect(w[1]).toBeCloseTo(1.5, 5);
    expect([...frozenLike.variable.dataSync()]).toEqual([5, 5]);
    expect(Object.keys(optimizer.getState().parameters)).toEqual(['transformer.w']);
    optimizer.dispose();
  });

  it('getState/loadState resume exactly, including per-parameter steps and the learning rate', () => {
    const first = parameter('w', INITIAL);
    const optimizer = new AdamW([first], { learningRate: HYPER.lr });
    stepWith(optimizer, { w: GRADIENTS[0] as number[] });
    stepWith(optimizer, { w: GRADIENTS[1] as number[] });
    optimizer.setLearningRate(0.05);
    const state = optimizer.getState();
    expect(state.learningRate).toBe(0.05);
    expect(state.parameters.w?.step).toBe(2);
    expect(state.parameters.w?.firstMoment).toBeInstanceOf(Float32Array);

    const second = parameter('w', [...first.variable.dataSync()]);
    const resumed = new AdamW([second], { learningRate: 1 });
    resumed.loadState(state);
    expect(resumed.learningRate).toBe(0.05);
    expect(resumed.stepCount).toBe(2);
    stepWith(optimizer, { w: GRADIENTS[2] as number[] });
    stepWith(resumed, { w: GRADIENTS[2] as number[] });
    expect([...second.variable.dataSync()]).toEqual([...first.variable.dataSync()]);
    optimizer.dispose();
    resumed.dispose();
  });

  it('changes nothing and names the parameter when a gradient is NaN or infinite', () => {
    const weight = parameter('w', [1, 2]);
    const bias = parameter('b', [3], false);
    const optimizer = new AdamW([weight, bias], { learningRate: 0.1 });
    expect(() => stepWith(optimizer, { w: [0.1, Number.NaN], b: [1] })).toThrow(/"w".*NaN or Infinity/);
    expect(() => stepWith(optimizer, { w: [0.1, 0.2], b: [Number.POSITIVE_INFINITY] })).toThrow(/"b"/);
    expect([...weight.variable.dataSync()]).toEqual([1, 2]);
    expect([...bias.variable.dataSync()]).toEqual([3]);
    expect(optimizer.stepCount).toBe(0);
    optimizer.dispose();
  });
});

it('AdamW rejects bad options, parameters and gradients with errors naming the field', () => {
  const weight = parameter('w', [1, 2]);
  expect(() => new AdamW([weight], { learningRate: -1 })).toThrow(/learningRate/);
  expect(() => new AdamW([weight], { learningRate: 0.1, beta1: 1 })).toThrow(/beta1/);
  expect(() => new AdamW([weight], { learningRate: 0.1, beta2: -0.1 })).toThrow(/beta2/);
  expect(() => new AdamW([weight], { learningRate: 0.1, epsilon: Number.NaN })).toThrow(/epsilon/);
  expect(() => new AdamW([weight], { learningRate: 0.1, weightDecay: -0.01 })).toThrow(/weightDecay/);
  expect(() => new AdamW([weight, weight], { learningRate: 0.1 })).toThrow(/"w" twice/);
  const optimizer = new AdamW([weight], { learningRate: 0.1 });
  expect(() => optimizer.setLearningRate(-0.5)).toThrow(/learningRate/);
  expect(() => stepWith(optimizer, { nope: [1, 2] })).toThrow(/grads\["nope"\].*matches no parameter/);
  expect(() => stepWith(optimizer, { w: [1, 2, 3] })).toThrow(/grads\["w"\].*shape \[3\].*\[2\]/);
  expect(() =>
    optimizer.loadState({
      learningRate: 0.1,
      parameters: { w: { step: 1, firstMoment: new Float32Array(3), secondMoment: new Float32Array(2) } },
    }),
  ).toThrow(/parameters\["w"\]\.firstMoment/);
  optimizer.dispose();
});

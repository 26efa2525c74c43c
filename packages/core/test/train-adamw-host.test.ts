import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariable } from '@trl/spec';
import { afterEach, expect, it } from 'vitest';
import { AdamW, type AdamWOptions } from '../src/train/adamw';
import { loadAdamWState, saveAdamWState } from '../src/train/adamw-checkpoint';
import { allFinite } from '../src/train/adamw-host';
import { wasmFloat32View } from '../src/train/wasm-heap-view';
import { describeEachBackend } from './helpers/backends';

/** Shapes of a miniature model: a matrix and a vector with decay, a norm weight without. */
const LAYOUT = [
  { name: 'h.0.attn.c_attn.weight', shape: [6, 18], decay: true },
  { name: 'h.0.attn.c_attn.bias', shape: [18], decay: false },
  { name: 'h.0.ln_1.weight', shape: [6], decay: false },
  { name: 'wte.weight', shape: [11, 6], decay: true },
];

const created: tf.Variable[] = [];
afterEach(() => {
  for (const variable of created.splice(0)) variable.dispose();
});

/** The same seeded parameters each call, as fresh variables. */
function makeParameters(): NamedVariable[] {
  return LAYOUT.map(({ name, shape, decay }, index) => {
    const variable = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 100 + index));
    created.push(variable);
    return { name, variable, decay };
  });
}

/** Seeded gradients of step `step`, some large and some tiny, keyed by checkpoint name. */
function gradients(step: number): Map<string, tf.Tensor> {
  return new Map(
    LAYOUT.map(({ name, shape }, index) => [
      name,
      tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 1000 * step + index), 10 ** (index - 2))),
    ]),
  );
}

function stepWith(optimizer: AdamW, step: number): void {
  const grads = gradients(step);
  optimizer.step(grads);
  tf.dispose([...grads.values()]);
}

function maxAbsDifference(a: readonly NamedVariable[], b: readonly NamedVariable[]): number {
  let worst = 0;
  a.forEach((parameter, index) => {
    const x = parameter.variable.dataSync();
    const y = (b[index] as NamedVariable).variable.dataSync();
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  });
  return worst;
}

const OPTIONS: AdamWOptions = { learningRate: 0.05, beta2: 0.95, weightDecay: 0.1 };

describeEachBackend('AdamW stateLocation: host', () => {
  it('takes the same steps as device moments (within 1e-6 over 6 steps, with an LR change)', () => {
    const onDevice = makeParameters();
    const onHost = makeParameters();
    const initial = onHost.map((parameter) => [...parameter.variable.dataSync()]);
    const device = new AdamW(onDevice, OPTIONS);
    const host = new AdamW(onHost, { ...OPTIONS, stateLocation: 'host' });
    for (let step = 1; step <= 6; step++) {
      if (step === 4) {
        device.setLearningRate(0.01);
        host.setLearningRate(0.01);
      }
      stepWith(device, step);
      stepWith(host, step);
      expect(maxAbsDifference(onDevice, onHost)).toBeLessThanOrEqual(1e-6);
    }
    // The weights really moved (about lr per step), so the comparison above is not vacuous.
    const weights = onHost[0]?.variable.dataSync() as Float32Array;
    const moved = Math.max(...weights.map((value, i) => Math.abs(value - (initial[0]?.[i] as number))));
    expect(moved).toBeGreaterThan(0.1);
    expect(host.stepCount).toBe(6);
    // Same moments, too.
    const deviceState = device.getState();
    const hostState = host.getState();
    for (const { name } of LAYOUT) {
      const a = deviceState.parameters[name];
      const b = hostState.parameters[name];
      expect(b?.step).toBe(6);
      b?.secondMoment.forEach((value, i) => {
        expect(Math.abs(value - (a?.secondMoment[i] as number))).toBeLessThanOrEqual(1e-6 * Math.abs(value));
      });
    }
    device.dispose();
    host.dispose();
  });

  it('keeps no tensors and no backend bytes for its moments, and leaks nothing across steps', () => {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters, { ...OPTIONS, stateLocation: 'host' });
    const before = tf.memory();
    stepWith(optimizer, 1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    for (let step = 2; step <= 5; step++) stepWith(optimizer, step);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    // The variables are the same objects, now holding new (live) data.
    expect(parameters.every((parameter) => !parameter.variable.isDisposed)).toBe(true);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    // Device moments, for contrast, hold 8 bytes per parameter on the backend.
    const device = new AdamW(parameters, OPTIONS);
    stepWith(device, 1);
    const elements = LAYOUT.reduce((sum, { shape }) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(tf.memory().numBytes - before.numBytes).toBe(8 * elements);
    device.dispose();
  });

  it('writes each new weight to a fresh buffer: tensors sharing the old one keep their values', () => {
    const parameters = makeParameters();
    const weight = parameters[0]?.variable as tf.Variable;
    const alias = tf.reshape(weight, [-1]);
    const before = [...alias.dataSync()];
    const optimizer = new AdamW(parameters, { ...OPTIONS, stateLocation: 'host' });
    stepWith(optimizer, 1);
    expect([...alias.dataSync()]).toEqual(before);
    expect(weight.dataSync()[0]).not.toBe(before[0]);
    alias.dispose();
    optimizer.dispose();
  });

  it('changes nothing and names the parameter when a gradient is NaN or infinite', () => {
    const parameters = makeParameters();
    const snapshot = parameters.map((parameter) => [...parameter.variable.dataSync()]);
    const optimizer = new AdamW(parameters, { ...OPTIONS, stateLocation: 'host' });
    const grads = gradients(1);
    const bad = tf.fill([6], Number.NaN);
    const good = grads.get('h.0.ln_1.weight') as tf.Tensor;
    grads.set('h.0.ln_1.weight', bad);
    expect(() => optimizer.step(grads)).toThrow(/"h\.0\.ln_1\.weight".*NaN or Infinity/);
    tf.dispose([...grads.values(), good]);
    parameters.forEach((parameter, index) => {
      expect([...parameter.variable.dataSync()]).toEqual(snapshot[index]);
    });
    expect(optimizer.stepCount).toBe(0);
    expect(optimizer.getState().parameters).toEqual({});
    optimizer.dispose();
  });

  it('getState/loadState move state between host and device optimizers and resume exactly', () => {
    const first = makeParameters();
    const host = new AdamW(first, { ...OPTIONS, stateLocation: 'host' });
    stepWith(host, 1);
    stepWith(host, 2);
    const state = host.getState();
    // A copy: stepping again does not change what was returned.
    const savedFirst = Float32Array.from(state.parameters['wte.weight']?.firstMoment ?? []);
    stepWith(host, 3);
    expect(state.parameters['wte.weight']?.firstMoment).toEqual(savedFirst);

    const second = makeParameters();
    const third = makeParameters();
    const replay = new AdamW(second, { ...OPTIONS, stateLocation: 'host' });
    stepWith(replay, 1);
    stepWith(replay, 2);
    third.forEach((parameter, index) => {
      parameter.variable.assign((second[index] as NamedVariable).variable);
    });
    const device = new AdamW(third, OPTIONS);
    device.loadState(state);
    expect(device.stepCount).toBe(2);
    stepWith(device, 3);
    stepWith(replay, 3);
    expect(maxAbsDifference(first, second)).toBe(0);
    expect(maxAbsDifference(first, third)).toBeLessThanOrEqual(1e-6);

    // And back: device state into a host optimizer.
    const resumed = new AdamW(second, { learningRate: 1, stateLocation: 'host' });
    resumed.loadState(device.getState());
    expect(resumed.learningRate).toBe(OPTIONS.learningRate);
    expect(resumed.getState()).toEqual(device.getState());
    for (const optimizer of [host, replay, device, resumed]) optimizer.dispose();
  });
});

describeEachBackend('AdamW.stepWithHostGradients', () => {
  it('takes the same steps from host gradients as step() from tensors, in either location', () => {
    const reference = makeParameters();
    const fromHost = makeParameters();
    const fromHostOnDevice = makeParameters();
    const optimizers = [
      new AdamW(reference, { ...OPTIONS, stateLocation: 'host' }),
      new AdamW(fromHost, { ...OPTIONS, stateLocation: 'host' }),
      new AdamW(fromHostOnDevice, OPTIONS),
    ];
    const before = tf.memory().numTensors;
    for (let step = 1; step <= 3; step++) {
      const grads = gradients(step);
      const hostGrads = new Map([...grads].map(([name, grad]) => [name, Float32Array.from(grad.dataSync())]));
      optimizers[0]?.step(grads);
      optimizers[1]?.stepWithHostGradients(hostGrads);
      optimizers[2]?.stepWithHostGradients(hostGrads);
      tf.dispose([...grads.values()]);
    }
    expect(maxAbsDifference(reference, fromHost)).toBe(0);
    expect(maxAbsDifference(reference, fromHostOnDevice)).toBeLessThanOrEqual(1e-6);
    expect(optimizers[1]?.stepCount).toBe(3);
    // Device moments were created (8 tensors); nothing else stayed behind.
    expect(tf.memory().numTensors - before).toBe(2 * LAYOUT.length);
    for (const optimizer of optimizers) optimizer.dispose();
  });

  it('rejects unknown names, wrong sizes, non-arrays and NaN with errors naming the key', () => {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters, { ...OPTIONS, stateLocation: 'host' });
    const fn = (grads: Map<string, Float32Array>) => () => optimizer.stepWithHostGradients(grads);
    expect(fn(new Map([['nope', new Float32Array(6)]]))).toThrow(/grads\["nope"\].*matches no parameter/);
    expect(fn(new Map([['h.0.ln_1.weight', new Float32Array(5)]]))).toThrow(
      /grads\["h\.0\.ln_1\.weight"\]` has 5 values but the parameter has 6/,
    );
    expect(fn(new Map([['h.0.ln_1.weight', [1, 2, 3, 4, 5, 6] as unknown as Float32Array]]))).toThrow(
      /must be a Float32Array/,
    );
    expect(fn(new Map([['h.0.ln_1.weight', new Float32Array(6).fill(Number.NaN)]]))).toThrow(
      /"h\.0\.ln_1\.weight".*NaN or Infinity/,
    );
    expect(() => optimizer.stepWithHostGradients({} as unknown as Map<string, Float32Array>)).toThrow(
      /must be a Map/,
    );
    expect(optimizer.stepCount).toBe(0);
    optimizer.dispose();
  });
});

it('a host state survives saveAdamWState/loadAdamWState', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'trl-adamw-host-'));
  try {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters, { ...OPTIONS, stateLocation: 'host' });
    stepWith(optimizer, 1);
    const path = join(dir, 'optimizer.safetensors');
    await saveAdamWState(path, optimizer.getState());
    const restored = new AdamW(makeParameters(), { learningRate: 1, stateLocation: 'host' });
    restored.loadState(await loadAdamWState(path));
    expect(restored.getState()).toEqual(optimizer.getState());
    optimizer.dispose();
    restored.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('rejects an unknown stateLocation naming the field', () => {
  const parameters = makeParameters();
  expect(
    () => new AdamW(parameters, { learningRate: 0.1, stateLocation: 'disk' as unknown as 'host' }),
  ).toThrow(/stateLocation/);
});

it('allFinite finds NaN and both infinities', () => {
  expect(allFinite(new Float32Array([0, -1, 3.4e38, 1e-45]))).toBe(true);
  expect(allFinite(new Float32Array([0, Number.NaN]))).toBe(false);
  expect(allFinite(new Float32Array([Number.POSITIVE_INFINITY]))).toBe(false);
  expect(allFinite(new Float32Array([1, Number.NEGATIVE_INFINITY, 2]))).toBe(false);
  expect(allFinite(new Float32Array([]))).toBe(true);
});

describeEachBackend('wasmFloat32View', (backend) => {
  it('views a wasm tensor in place and declines elsewhere', () => {
    const tensor = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const ints = tf.tensor1d([1, 2], 'int32');
    const view = wasmFloat32View(tensor);
    if (backend === 'wasm') {
      expect([...(view ?? [])]).toEqual([1, 2, 3, 4]);
      const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
      expect(view?.buffer).toBe(heap.buffer);
    } else {
      expect(view).toBeUndefined();
    }
    expect(wasmFloat32View(ints)).toBeUndefined();
    tf.dispose([tensor, ints]);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepSeries } from '../src/chart';
import { type ContinuationConfig, continuationSmokeConfig } from '../src/continuation-ppo';
import { createGpt2 } from '../src/gpt2';
import { valueAt } from '../src/run';
import { machineSummary, writeRunOutputs } from '../src/run-outputs';

// Values chosen apart from every example's, so each override is visible.
const TRAINER = { steps: 40, batchSize: 64, learningRate: 5e-5, miniBatchSize: 16, ppoEpochs: 4 };
const FULL: ContinuationConfig = {
  seed: 1,
  backend: 'cpu',
  testSize: 12,
  evalSamples: 6,
  vocabSize: 300,
  model: { n_embd: 48, n_layer: 3, n_head: 2, n_positions: 24 },
  sft: { steps: 500, batchSize: 16, learningRate: 1e-3, warmupSteps: 40, logEvery: 50 },
  generation: { maxNewTokens: 9, topK: 5, batchSize: 32 },
  ppo: { ...TRAINER, initKlCoef: 0.1, adapKlCtrl: false, maxGradNorm: 2, evalEvery: 5 },
};

describe('continuationSmokeConfig', () => {
  it('shrinks every stage but keeps the full config untouched and its key order', () => {
    const smoke = continuationSmokeConfig(FULL);
    expect(Object.keys(smoke)).toEqual(Object.keys(FULL));
    expect(smoke.model).toEqual({ n_embd: 32, n_layer: 1, n_head: 2, n_positions: 24 });
    expect(smoke.ppo).toMatchObject({ steps: 2, batchSize: 8, miniBatchSize: 4, ppoEpochs: 1, evalEvery: 1 });
    expect(smoke.generation).toEqual({ maxNewTokens: 9, topK: 5, batchSize: 16 });
    expect(smoke.ppo.learningRate).toBe(5e-5);
    expect(smoke.sft).toEqual({ steps: 20, batchSize: 8, learningRate: 1e-3, warmupSteps: 2, logEvery: 5 });
    expect([smoke.testSize, smoke.evalSamples, smoke.generation.batchSize]).toEqual([4, 2, 16]);
    expect(FULL.ppo.steps).toBe(40);
  });
});

describe('small helpers', () => {
  it('builds a series over steps with its style', () => {
    const rows = [
      { step: 0, score: 0.5 },
      { step: 3, score: 0.25 },
    ];
    expect(stepSeries('eval', rows, (r) => r.score, { markers: true })).toEqual({
      name: 'eval',
      points: [
        { x: 0, y: 0.5 },
        { x: 3, y: 0.25 },
      ],
      markers: true,
    });
    expect(stepSeries('plain', rows, (r) => r.step)).toEqual({
      name: 'plain',
      points: [
        { x: 0, y: 0 },
        { x: 3, y: 3 },
      ],
    });
  });

  it('reads a list element or names the bad index', () => {
    expect(valueAt([4, 5], 1)).toBe(5);
    expect(() => valueAt([4, 5], 2)).toThrow(/index 2 is outside a list of 2/);
    expect(() => valueAt([4], -1)).toThrow(RangeError);
  });
});

describe('createGpt2 and writeRunOutputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kit-outputs-'));
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sizes a GPT-2 to the tokenizer, eos as bos, with extra fields', () => {
    const model = createGpt2(
      { n_embd: 8, n_layer: 1, n_head: 2, n_positions: 8 },
      { vocabSize: 20, eosTokenId: 19 },
      0,
      {
        pad_token_id: 18,
      },
    );
    expect(model.info.vocabSize).toBe(20);
    expect(model.info.eosTokenId).toBe(19);
    expect(model.config).toMatchObject({ bos_token_id: 19, eos_token_id: 19, pad_token_id: 18 });
    model.dispose();
  });

  it('writes the summary and the curve, and the checkpoint only when asked', async () => {
    const saved: string[] = [];
    const pretrained = (name: string) => ({
      savePretrained: async (to: string) => {
        saved.push(`${name} -> ${to}`);
      },
    });
    const chart = { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [{ x: 0, y: 1 }] }] };
    await writeRunOutputs({ runDir: dir, summary: { b: 1, a: 2 }, chart });
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe('{\n  "b": 1,\n  "a": 2\n}\n');
    expect(readdirSync(dir).sort()).toEqual([
      'learning-curve.png',
      'learning-curve.svg',
      'learning-curve.vl.json',
      'summary.json',
    ]);
    expect(saved).toEqual([]);
    await writeRunOutputs({
      runDir: dir,
      summary: {},
      chart,
      checkpoint: { model: pretrained('model'), tokenizer: pretrained('tokenizer') },
    });
    expect(saved).toEqual([`model -> ${join(dir, 'checkpoint')}`, `tokenizer -> ${join(dir, 'checkpoint')}`]);
  });

  it('reports the backend and a three-number load average', () => {
    const { backend, loadAverage } = machineSummary();
    expect(backend).toBe('cpu');
    expect(loadAverage).toHaveLength(3);
  });
});

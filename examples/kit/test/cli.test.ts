import { describe, expect, it } from 'vitest';
import { applyOverrides, parseRunArgs } from '../src/cli';

const FULL = { seed: 1, sft: { steps: 600, logEvery: 50 }, backend: 'wasm', debug: false };
const SMOKE = { seed: 1, sft: { steps: 4, logEvery: 1 }, backend: 'cpu', debug: false };
const now = new Date('2026-01-02T03:04:05.678Z');

describe('parseRunArgs', () => {
  it('picks the smoke config and a -smoke run directory under <exampleDir>/runs', () => {
    const run = parseRunArgs({
      args: ['--smoke'],
      smokeConfig: SMOKE,
      fullConfig: FULL,
      exampleDir: '/ex',
      now,
      runTag: '',
    });
    expect(run.smoke).toBe(true);
    expect(run.config).toEqual(SMOKE);
    expect(run.runDir).toBe('/ex/runs/2026-01-02T03-04-05-678Z-smoke');
  });

  it('uses the full config without --smoke and appends the run tag', () => {
    const run = parseRunArgs({
      args: [],
      smokeConfig: SMOKE,
      fullConfig: FULL,
      exampleDir: '/ex',
      now,
      runTag: '-a',
    });
    expect(run.smoke).toBe(false);
    expect(run.config.sft.steps).toBe(600);
    expect(run.runDir).toBe('/ex/runs/2026-01-02T03-04-05-678Z-a');
  });

  it('applies --set overrides to a copy, parsing numbers and booleans', () => {
    const args = ['--smoke', '--set', 'sft.steps=1', '--set', 'debug=true', '--set', 'backend=wasm'];
    const run = parseRunArgs({ args, smokeConfig: SMOKE, fullConfig: FULL, exampleDir: '/ex', now });
    expect(run.config).toEqual({ seed: 1, sft: { steps: 1, logEvery: 1 }, backend: 'wasm', debug: true });
    expect(SMOKE.sft.steps).toBe(4);
  });
});

describe('applyOverrides', () => {
  it('names the unknown field in the error', () => {
    expect(() => applyOverrides(structuredClone(FULL), ['--set', 'sft.stpes=3'])).toThrow(
      /sft\.stpes: no such config field/,
    );
    expect(() => applyOverrides(structuredClone(FULL), ['--set', 'nope.x=3'])).toThrow(/nope\.x/);
  });
});

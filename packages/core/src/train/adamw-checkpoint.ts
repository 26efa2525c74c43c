import { TrlError } from '@trl/spec';
import { readSafetensors } from '../io/safetensors/parse';
import { writeSafetensors } from '../io/safetensors/serialize';
import type { SafetensorEntry } from '../io/safetensors/types';
import type { AdamWParameterState, AdamWState } from './adamw';

/** Marks files written by {@link saveAdamWState}, so a model checkpoint is not mistaken for one. */
const FORMAT = 'trl-ts-adamw-v1';
const FIRST_SUFFIX = '.exp_avg';
const SECOND_SUFFIX = '.exp_avg_sq';

/**
 * Writes an AdamW state as a safetensors file (atomically): `<name>.exp_avg` and `<name>.exp_avg_sq`
 * as flat F32 tensors (torch's state names), the learning rate and per-parameter steps in the metadata.
 */
export async function saveAdamWState(path: string, state: AdamWState): Promise<void> {
  const tensors: Record<string, SafetensorEntry> = {};
  const steps: Record<string, number> = {};
  for (const [name, parameter] of Object.entries(state.parameters)) {
    tensors[`${name}${FIRST_SUFFIX}`] = {
      dtype: 'F32',
      shape: [parameter.firstMoment.length],
      values: parameter.firstMoment,
    };
    tensors[`${name}${SECOND_SUFFIX}`] = {
      dtype: 'F32',
      shape: [parameter.secondMoment.length],
      values: parameter.secondMoment,
    };
    steps[name] = parameter.step;
  }
  await writeSafetensors(path, tensors, {
    format: FORMAT,
    learning_rate: String(state.learningRate),
    steps: JSON.stringify(steps),
  });
}

/** Reads a file written by {@link saveAdamWState}; pass the result to `AdamW.loadState`. */
export async function loadAdamWState(path: string): Promise<AdamWState> {
  const file = await readSafetensors(path);
  const fail = (detail: string): never => {
    throw new TrlError('invalid-checkpoint', `loadAdamWState ${path}: ${detail}`);
  };
  if (file.metadata.format !== FORMAT) {
    fail(
      `metadata format is ${JSON.stringify(file.metadata.format)}, expected "${FORMAT}"; not an AdamW state file.`,
    );
  }
  const learningRate = Number(file.metadata.learning_rate);
  if (!Number.isFinite(learningRate)) fail('metadata `learning_rate` is not a number.');
  let steps: Record<string, unknown> = {};
  try {
    steps = JSON.parse(file.metadata.steps ?? '') as Record<string, unknown>;
  } catch {
    fail('metadata `steps` is not valid JSON.');
  }
  const parameters: Record<string, AdamWParameterState> = {};
  for (const [name, step] of Object.entries(steps)) {
    const first = file.tensors.get(`${name}${FIRST_SUFFIX}`);
    const second = file.tensors.get(`${name}${SECOND_SUFFIX}`);
    if (first?.dtype !== 'F32' || second?.dtype !== 'F32')
      fail(`tensors of "${name}" are missing or not F32.`);
    if (typeof step !== 'number') fail(`step of "${name}" is not a number.`);
    parameters[name] = {
      step: step as number,
      firstMoment: first?.values as Float32Array,
      secondMoment: second?.values as Float32Array,
    };
  }
  return { learningRate, parameters };
}

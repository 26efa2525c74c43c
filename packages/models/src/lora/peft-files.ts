import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensors, TrlError, tf, writeFileAtomic } from '@trl/core';
import { floatValues } from '../checkpoint/float-values';
import { readJsonFile } from '../checkpoint/json-file';
import type { PretrainedOptions } from '../checkpoint/load';
import { writeTensors } from '../checkpoint/save';
import { resolveModelFile } from '../hub/index';
import { LoraAdapter, LoraAdapters, type LoraTargetLayer, PEFT_PREFIX } from './adapters';
import { type LoraConfig, loraScaling, parseLoraConfig } from './config';

/**
 * Writes PEFT's `adapter_config.json` and `adapter_model.safetensors` (factors in PEFT's `[r, in]`
 * / `[out, r]` layout under `base_model.model.<module>.lora_A|B.weight`), so PEFT loads them onto
 * transformers' model. `fanInFanOut` is PEFT's flag for GPT-2's Conv1D (`[in, out]` weights); false
 * for `nn.Linear` models such as Llama.
 */
export async function saveLoraAdapter(
  adapters: LoraAdapters,
  dir: string,
  baseModel?: string,
  fanInFanOut = true,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { config } = adapters;
  const tensors = new Map<string, tf.Tensor>();
  const transposed: tf.Tensor[] = [];
  for (const adapter of adapters.all()) {
    const keys = adapter.keys();
    const a = tf.transpose(adapter.down);
    const b = tf.transpose(adapter.up);
    transposed.push(a, b);
    tensors.set(keys.a, a);
    tensors.set(keys.b, b);
  }
  try {
    await writeTensors(join(dir, 'adapter_model.safetensors'), tensors);
  } finally {
    for (const t of transposed) t.dispose();
  }
  const peftConfig = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel ?? null,
    r: config.r,
    lora_alpha: config.loraAlpha,
    lora_dropout: config.loraDropout,
    target_modules: config.targetModules,
    fan_in_fan_out: fanInFanOut,
    bias: 'none',
    use_rslora: config.useRslora,
    inference_mode: false,
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
  };
  await writeFileAtomic(join(dir, 'adapter_config.json'), `${JSON.stringify(peftConfig, null, 2)}\n`);
}

/**
 * Reads a PEFT LoRA adapter (`adapter_config.json` + `adapter_model.safetensors`) for the given
 * projections. Returns undefined when the directory or repo has no adapter.
 */
export async function readLoraAdapter(
  pathOrRepoId: string,
  layers: readonly LoraTargetLayer[],
  options: PretrainedOptions = {},
): Promise<LoraAdapters | undefined> {
  const configPath = await resolveModelFile(pathOrRepoId, 'adapter_config.json', {
    ...options,
    required: false,
  });
  if (configPath === undefined) return undefined;
  const config = peftToLoraConfig(await readJsonFile(configPath), configPath);
  const weightsPath = await resolveModelFile(pathOrRepoId, 'adapter_model.safetensors', {
    ...options,
    required: true,
  });
  const file = await readSafetensors(weightsPath);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const factors = new Map<
    string,
    { a?: Float32Array; b?: Float32Array; aShape?: number[]; bShape?: number[] }
  >();
  for (const [rawKey, entry] of file.tensors) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$/.exec(rawKey);
    if (!match)
      throw new TrlError(
        'unsupported-file',
        `${weightsPath}: unexpected key ${rawKey}; only LoRA factors are supported.`,
      );
    // GPT-2 adapters may name modules without the `transformer.` prefix (PEFT on GPT2Model).
    const path = match[1]!;
    const module = byName.has(path) || path.startsWith('transformer.') ? path : `transformer.${path}`;
    const slot = factors.get(module) ?? {};
    const values = floatValues(entry, rawKey, weightsPath);
    if (match[2] === 'A') Object.assign(slot, { a: values, aShape: entry.shape });
    else Object.assign(slot, { b: values, bShape: entry.shape });
    factors.set(module, slot);
  }
  const adapters: LoraAdapter[] = [];
  try {
    for (const [module, f] of factors) {
      const layer = byName.get(module);
      if (!layer)
        throw new TrlError(
          'invalid-file',
          `${weightsPath}: adapter for ${module}, which this model does not have.`,
        );
      if (!f.a || !f.b)
        throw new TrlError('invalid-file', `${weightsPath}: ${module} lacks lora_${f.a ? 'B' : 'A'}.weight.`);
      const [fanIn, fanOut] = layer.weight.shape as [number, number];
      checkShape(weightsPath, `${PEFT_PREFIX}${module}.lora_A.weight`, f.aShape!, [config.r, fanIn]);
      checkShape(weightsPath, `${PEFT_PREFIX}${module}.lora_B.weight`, f.bShape!, [fanOut, config.r]);
      const down = tf.tidy(() => tf.variable(tf.transpose(tf.tensor2d(f.a!, [config.r, fanIn]))));
      const up = tf.tidy(() => tf.variable(tf.transpose(tf.tensor2d(f.b!, [fanOut, config.r]))));
      adapters.push(new LoraAdapter(module, down, up, loraScaling(config), config.loraDropout));
    }
  } catch (error) {
    for (const a of adapters) {
      a.down.dispose();
      a.up.dispose();
    }
    throw error;
  }
  return new LoraAdapters(config, adapters);
}

/** Translates PEFT's `adapter_config.json`, refusing features this implementation lacks. */
export function peftToLoraConfig(value: unknown, source: string): LoraConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TrlError('invalid-file', `${source} must hold a JSON object (PEFT's adapter_config.json).`);
  const raw = value as Record<string, unknown>;
  if (raw['peft_type'] !== 'LORA')
    throw new TrlError(
      'unsupported-file',
      `${source}: peft_type ${String(raw['peft_type'])} is not supported (LORA only).`,
    );
  if (raw['bias'] !== undefined && raw['bias'] !== 'none')
    throw new TrlError(
      'unsupported-file',
      `${source}: bias "${String(raw['bias'])}" is not supported ("none" only).`,
    );
  // Variants that change the update itself would load silently but compute something else.
  for (const key of ['use_dora', 'lora_bias'] as const) {
    if (raw[key] === true)
      throw new TrlError('unsupported-file', `${source}: ${key}: true is not supported (plain LoRA only).`);
  }
  for (const key of ['rank_pattern', 'alpha_pattern'] as const) {
    const value = raw[key];
    if (value && typeof value === 'object' && Object.keys(value).length > 0) {
      throw new TrlError(
        'unsupported-file',
        `${source}: ${key} is not supported; give every module the same r and lora_alpha.`,
      );
    }
  }
  return parseLoraConfig({
    r: raw['r'] as number,
    loraAlpha: raw['lora_alpha'] as number,
    loraDropout: (raw['lora_dropout'] as number | undefined) ?? 0,
    targetModules: raw['target_modules'] as string[] | string,
    useRslora: (raw['use_rslora'] as boolean | undefined) ?? false,
  });
}

function checkShape(source: string, key: string, actual: number[], expected: number[]): void {
  if (actual.length !== expected.length || actual.some((n, i) => n !== expected[i])) {
    throw new TrlError(
      'invalid-file',
      `${source}: ${key} has shape [${actual.join(', ')}], expected [${expected.join(', ')}].`,
    );
  }
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type SafetensorEntry, type tf, writeFileAtomic, writeSafetensors } from '@trl/core';

/**
 * The files behind every model's `savePretrained` (a trainer checkpoint is @trl/core's business):
 * `config.json` and `model.safetensors` into `dir`, created if needed. Each file is written to a
 * temporary sibling and renamed, so a crash never leaves a half-written file. Tensors are stored as
 * F32 with transformers' `{"format": "pt"}` metadata.
 */
export async function writePretrainedFiles(
  dir: string,
  config: Record<string, unknown>,
  tensors: ReadonlyMap<string, tf.Tensor>,
  weightsFile = 'model.safetensors',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeTensors(join(dir, weightsFile), tensors);
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** Downloads the tensors and writes them as one F32 safetensors file (atomically). */
export async function writeTensors(path: string, tensors: ReadonlyMap<string, tf.Tensor>): Promise<void> {
  const entries: Record<string, SafetensorEntry> = {};
  for (const [key, t] of tensors) {
    const values = await t.data();
    entries[key] = {
      dtype: 'F32',
      shape: [...t.shape],
      values: values instanceof Float32Array ? values : Float32Array.from(values),
    };
  }
  await writeSafetensors(path, entries, { format: 'pt' });
}

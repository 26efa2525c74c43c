import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { thrown } from '../../test-kit/src/errors';
import {
  assertFiniteTensor,
  Dataset,
  loadJson,
  ProgressBar,
  parseSafetensors,
  Rng,
  type RngState,
  TrlError,
} from '../src/index';

const directory = mkdtempSync(join(tmpdir(), 'trl-core-errors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function fileHolding(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('input errors of @trl/core are TrlErrors with a code, keeping their message', () => {
  it.each([
    {
      what: 'a bad argument',
      run: () => new Rng(1.5),
      code: 'invalid-argument',
      message: 'new Rng: `seed` must be a safe integer (e.g. 42), got 1.5.',
    },
    {
      what: 'a bad saved state',
      run: () =>
        Rng.fromState({
          algorithm: 'mt19937',
          words: [1, 2, 3, 4],
          spareNormal: null,
        } as unknown as RngState),
      code: 'invalid-checkpoint',
      message: "Rng.fromState: `state.algorithm` must be 'xoshiro128**', got mt19937.",
    },
    {
      what: 'a truncated safetensors file',
      run: () => parseSafetensors(new Uint8Array(3), 'tiny.safetensors'),
      code: 'invalid-file',
      message: 'safetensors tiny.safetensors: file is 3 bytes, shorter than the 8-byte header length.',
    },
    {
      what: 'safetensors bytes that are not bytes',
      run: () => parseSafetensors('not bytes' as unknown as Uint8Array, 'x'),
      code: 'invalid-argument',
      message: 'safetensors x: `bytes` must be a Uint8Array.',
    },
    {
      what: 'a malformed dataset file',
      run: () => loadJson(fileHolding('broken.json', '[{"a": 1}, 2]')),
      code: 'invalid-dataset',
      message: `${join(directory, 'broken.json')}: element 1 is not an object; expected an array of row objects.`,
    },
    {
      what: 'weights holding NaN',
      run: () => assertFiniteTensor([1, Number.NaN], 'weight "w"', 'retrain.'),
      code: 'non-finite-value',
      message: 'weight "w" holds 1 NaN or infinite value(s) (first at flat index 1: NaN); retrain.',
    },
    {
      what: 'a bad constructor option',
      run: () => new ProgressBar({ total: -1 }),
      code: 'invalid-argument',
      message: 'ProgressBar: `total` must be an integer >= 0, got -1.',
    },
  ])('$what: $code', async ({ run, code, message }) => {
    const error = await thrown(run);
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({ name: 'TrlError', code, message });
  });

  it('Dataset.map keeps the code of a TrlError thrown for a row, and its cause', async () => {
    const rowError = new TrlError('invalid-dataset', 'no "prompt" field.');
    const error = await thrown(() =>
      new Dataset([{ a: 1 }]).map(() => {
        throw rowError;
      }),
    );
    expect(error).toBeInstanceOf(TrlError);
    expect(error).toMatchObject({
      code: 'invalid-dataset',
      message: 'Dataset.map: row 0: no "prompt" field.',
    });
    expect((error as Error).cause).toBe(rowError);
  });

  it('Dataset.map leaves other errors of the mapping function plain Errors', async () => {
    const error = await thrown(() =>
      new Dataset([{ a: 1 }]).map(() => {
        throw new Error('boom');
      }),
    );
    expect(error).not.toBeInstanceOf(TrlError);
    expect((error as Error).message).toBe('Dataset.map: row 0: boom');
  });
});

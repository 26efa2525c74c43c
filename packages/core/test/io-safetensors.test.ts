import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// core cannot depend on @trl/test-kit (the kit depends on core), so it reads the fixture half by path.
import { TINY_GPT2_SAFETENSORS } from '../../test-kit/src/fixtures';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
  parseSafetensors,
  readSafetensors,
  type SafetensorEntry,
  serializeSafetensors,
  writeSafetensors,
} from '../src/io/index';

const FIXTURES = join(__dirname, 'fixtures', 'io');
const MIXED = join(FIXTURES, 'mixed-dtypes.safetensors');

interface MixedExpectations {
  f16_inputs: (number | string)[];
  f16_decoded: (number | string)[];
  f16_bits: number[];
  a_f32: number[];
  c_i64: string[];
}

function fromJsonNumber(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A raw safetensors file from a header object and data bytes, for corruption tests. */
function craft(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let text = new TextEncoder().encode(JSON.stringify(header));
  if (pad) {
    const padded = new Uint8Array(text.length + ((8 - (text.length % 8)) % 8)).fill(0x20);
    padded.set(text);
    text = padded;
  }
  const file = new Uint8Array(8 + text.length + data.length);
  new DataView(file.buffer).setBigUint64(0, BigInt(text.length), true);
  file.set(text, 8);
  file.set(data, 8 + text.length);
  return file;
}

describe('readSafetensors on the tiny GPT-2 fixture', () => {
  it('reads every key with its shape and the stored values', async () => {
    const file = await readSafetensors(TINY_GPT2_SAFETENSORS);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.size).toBe(29);
    const shapeOf = (key: string) => file.tensors.get(key)?.shape;
    expect(shapeOf('lm_head.weight')).toEqual([512, 48]);
    expect(shapeOf('transformer.wte.weight')).toEqual([512, 48]);
    expect(shapeOf('transformer.wpe.weight')).toEqual([64, 48]);
    expect(shapeOf('transformer.h.0.attn.c_attn.weight')).toEqual([48, 144]);
    expect(shapeOf('transformer.h.1.mlp.c_proj.weight')).toEqual([192, 48]);
    expect(shapeOf('transformer.ln_f.bias')).toEqual([48]);

    const wpe = file.tensors.get('transformer.wpe.weight');
    expect(wpe?.dtype).toBe('F32');
    const values = wpe?.values as Float32Array;
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.length).toBe(64 * 48);
    // Reference numbers read with numpy from the same file.
    expect(values[0]).toBeCloseTo(0.01954355649650097, 7);
    expect(values[2]).toBeCloseTo(-0.012654698453843594, 7);
    expect(values.reduce((sum, value) => sum + value, 0)).toBeCloseTo(-6.0011999925718555, 3);
    const ln = file.tensors.get('transformer.h.1.ln_2.weight')?.values as Float32Array;
    expect(ln[1]).toBeCloseTo(1.072607159614563, 6);
    // The checkpoint ties the LM head to the embedding: both copies hold the same numbers.
    expect(file.tensors.get('lm_head.weight')?.values).toEqual(
      file.tensors.get('transformer.wte.weight')?.values,
    );
  });

  it('round-trips through serialize and parse unchanged', async () => {
    const original = await readSafetensors(TINY_GPT2_SAFETENSORS);
    const bytes = serializeSafetensors(Object.fromEntries(original.tensors), original.metadata);
    const reread = parseSafetensors(bytes, 'roundtrip');
    expect(reread.metadata).toEqual(original.metadata);
    expect([...reread.tensors.keys()]).toEqual([...original.tensors.keys()].sort());
    for (const [key, entry] of original.tensors) expect(reread.tensors.get(key)).toEqual(entry);
    // Same tensors, same byte count: the reference layout has no slack beyond header padding.
    expect(Math.abs(bytes.length - (await readFile(TINY_GPT2_SAFETENSORS)).length)).toBeLessThan(600);
  });
});

describe('safetensors against the numpy-written mixed-dtype fixture', () => {
  let expected: MixedExpectations;
  beforeAll(async () => {
    expected = JSON.parse(await readFile(join(FIXTURES, 'mixed-dtypes.json'), 'utf8')) as MixedExpectations;
  });

  it('decodes every dtype', async () => {
    const file = await readSafetensors(MIXED);
    expect(file.metadata).toEqual({ format: 'pt', note: 'mixed' });
    const get = (key: string) => file.tensors.get(key) as SafetensorEntry;
    expect([...(get('a.f32').values as Float32Array)]).toEqual(expected.a_f32);
    expect(get('b.f16').dtype).toBe('F16');
    expect(get('b.f16').values).toBeInstanceOf(Float32Array);
    const f16 = [...(get('b.f16').values as Float32Array)];
    expect(f16).toEqual(expected.f16_decoded.map(fromJsonNumber));
    expect(Object.is(f16[1], -0)).toBe(true);
    expect(get('c.i64').values).toEqual(BigInt64Array.from(expected.c_i64.map((value) => BigInt(value))));
    expect([...(get('d.i32').values as Int32Array)]).toEqual([1, -2, 2 ** 31 - 1, -(2 ** 31)]);
    expect([...(get('e.u8').values as Uint8Array)]).toEqual([0, 7, 255]);
    expect(get('f.bool')).toEqual({ dtype: 'BOOL', shape: [2], values: new Uint8Array([1, 0]) });
    expect([...(get('g.f64').values as Float64Array)]).toEqual([Math.PI, -1e300]);
    expect(get('h.scalar')).toEqual({ dtype: 'F32', shape: [], values: new Float32Array([42]) });
    expect(get('i.empty')).toEqual({ dtype: 'F32', shape: [0, 3], values: new Float32Array(0) });
  });

  it('writes the same bytes as the numpy reference from the same float32 inputs', async () => {
    const file = await readSafetensors(MIXED);
    const tensors = Object.fromEntries(file.tensors) as Record<string, SafetensorEntry>;
    // Give the F16 tensor its unrounded float32 inputs: the writer must round exactly as numpy does.
    tensors['b.f16'] = {
      dtype: 'F16',
      shape: [4, 4],
      values: Float32Array.from(expected.f16_inputs.map(fromJsonNumber)),
    };
    const bytes = serializeSafetensors(tensors, { format: 'pt', note: 'mixed' });
    expect(Buffer.from(bytes).equals(await readFile(MIXED))).toBe(true);
  });

  it('rounds float32 to float16 bits like numpy', () => {
    const bits = expected.f16_inputs.map((value) => float32ToFloat16Bits(fromJsonNumber(value)));
    expect(bits).toEqual(expected.f16_bits);
  });
});

describe('16-bit float rounding', () => {
  it('every non-NaN F16 and BF16 bit pattern survives decode then encode', () => {
    const all = Uint16Array.from({ length: 65_536 }, (_, index) => index);
    const half = float16BitsToFloat32(all);
    const brain = bfloat16BitsToFloat32(all);
    let mismatches = 0;
    for (let bits = 0; bits < 65_536; bits++) {
      const halfNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
      const brainNaN = (bits & 0x7f80) === 0x7f80 && (bits & 0x7f) !== 0;
      if (!halfNaN && float32ToFloat16Bits(half[bits] as number) !== bits) mismatches++;
      if (!brainNaN && float32ToBfloat16Bits(brain[bits] as number) !== bits) mismatches++;
      if (halfNaN !== Number.isNaN(half[bits])) mismatches++;
    }
    expect(mismatches).toBe(0);
    // Spot values: the largest half, the smallest subnormal, and -2 in bfloat16.
    expect(half[0x7bff]).toBe(65504);
    expect(half[0x0001]).toBe(2 ** -24);
    expect(brain[0xc000]).toBe(-2);
  });

  it('rounds bfloat16 to nearest, ties to even', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    // 1 + 2^-8 lies halfway between 1 (even mantissa) and 1 + 2^-7: ties go to 1.
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    // 1 + 3·2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): ties go up.
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    // Just above the halfway point rounds up.
    expect(float32ToBfloat16Bits(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(float32ToBfloat16Bits(Number.POSITIVE_INFINITY)).toBe(0x7f80);
    const nan = float32ToBfloat16Bits(Number.NaN);
    expect((nan & 0x7f80) === 0x7f80 && (nan & 0x7f) !== 0).toBe(true);
  });

  it('round-trips BF16 and F16 through a file, decoding to the rounded float32', () => {
    const values = new Float32Array([1 + 3 * 2 ** -8, -0.1, 2.71, 1e-3]);
    const bytes = serializeSafetensors({
      bf: { dtype: 'BF16', shape: [4], values },
      half: { dtype: 'F16', shape: [2, 2], values },
    });
    const file = parseSafetensors(bytes);
    const bf = file.tensors.get('bf') as SafetensorEntry;
    const half = file.tensors.get('half') as SafetensorEntry;
    expect(bf.dtype).toBe('BF16');
    expect(half.dtype).toBe('F16');
    const bfValues = bf.values as Float32Array;
    const halfValues = half.values as Float32Array;
    expect(bfValues[0]).toBe(1 + 2 ** -6);
    // bfloat16 keeps 8 significant bits, binary16 keeps 11: relative error at most 2^-8 and 2^-11.
    values.forEach((value, index) => {
      expect(Math.abs((bfValues[index] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -8);
      expect(Math.abs((halfValues[index] as number) - value)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -11);
    });
  });
});

describe('serializeSafetensors layout and validation', () => {
  it('sorts keys, pads the header with spaces to 8 bytes and puts metadata first', () => {
    const bytes = serializeSafetensors(
      {
        z: { dtype: 'I32', shape: [1], values: new Int32Array([5]) },
        a: { dtype: 'F32', shape: [1], values: new Float32Array([1]) },
      },
      { format: 'pt' },
    );
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
        '"z":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}',
    );
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect(bytes.length).toBe(8 + length + 8);
  });

  it('names the tensor and the field for bad input', () => {
    const values = new Float32Array([1, 2]);
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [3], values } })).toThrow(
      /"w".*holds 3 values/,
    );
    expect(() =>
      serializeSafetensors({ w: { dtype: 'I32', shape: [2], values } as unknown as SafetensorEntry }),
    ).toThrow(/"w".*Int32Array/);
    expect(() =>
      serializeSafetensors({ w: { dtype: 'F8_E4M3', shape: [2], values } as unknown as SafetensorEntry }),
    ).toThrow(/"w".*unknown dtype/);
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [-2], values } })).toThrow(/"w".*shape/);
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'F32', shape: [2], values } })).toThrow(
      /reserved/,
    );
    expect(() => serializeSafetensors({}, { step: 3 as unknown as string })).toThrow(/metadata\.step/);
  });
});

describe('parseSafetensors rejects corrupt files, naming the source and the key', () => {
  const four = new Uint8Array(16);
  const entry = (dtype: string, shape: number[], offsets: [number, number]) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(4), /shorter than the 8-byte/],
    [
      'header length past the end',
      (() => {
        const file = craft({}, four);
        new DataView(file.buffer).setBigUint64(0, 10_000n, true);
        return file;
      })(),
      /header length 10000 exceeds/,
    ],
    ['not JSON', craft('x', four).map((byte, index) => (index === 8 ? 0x7b : byte)), /not valid JSON/],
    ['not an object', craft([1], new Uint8Array(0)), /does not start with "\{"|must be a JSON object/],
    ['unknown dtype', craft({ w: entry('F17', [4], [0, 16]) }, four), /tensor "w": unknown dtype "F17"/],
    [
      'unsupported fp8',
      craft({ w: entry('F8_E4M3', [16], [0, 16]) }, four),
      /tensor "w": dtype F8_E4M3 is not supported/,
    ],
    [
      'length mismatch',
      craft({ w: entry('F32', [3], [0, 16]) }, four),
      /tensor "w": holds 16 bytes but shape \[3\]/,
    ],
    [
      'offsets out of bounds',
      craft({ w: entry('F32', [8], [0, 32]) }, four),
      /tensor "w": data_offsets end at 32/,
    ],
    ['offsets reversed', craft({ w: entry('F32', [0], [8, 4]) }, four), /tensor "w".*end before/],
    [
      'overlap',
      craft({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, four),
      /tensor "b": data_offsets start at 4, overlapping/,
    ],
    [
      'gap',
      craft({ a: entry('F32', [2], [0, 8]), b: entry('F32', [1], [12, 16]) }, four),
      /tensor "b".*gap after byte 8/,
    ],
    [
      'trailing bytes',
      craft({ a: entry('F32', [2], [0, 8]) }, four),
      /cover 8 data bytes but the file holds 16/,
    ],
    ['bad shape', craft({ a: entry('F32', [1.5], [0, 16]) }, four), /tensor "a": shape must be/],
    [
      'bad metadata',
      craft({ __metadata__: { n: 1 } }, new Uint8Array(0)),
      /__metadata__\.n` must be a string/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    it(name, () => {
      expect(() => parseSafetensors(bytes, 'broken.safetensors')).toThrow(message);
      expect(() => parseSafetensors(bytes, 'broken.safetensors')).toThrow(
        /^safetensors broken\.safetensors: /,
      );
    });
  }

  it('names the path when reading a truncated file from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trl-st-'));
    try {
      const path = join(dir, 'cut.safetensors');
      const whole = await readFile(MIXED);
      const { writeFileAtomic } = await import('../src/io/atomic');
      await writeFileAtomic(path, new Uint8Array(whole.subarray(0, whole.length - 3)));
      await expect(readSafetensors(path)).rejects.toThrow(
        new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*(truncated|past the)`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('writeSafetensors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trl-st-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a file readSafetensors reads back', async () => {
    const path = join(dir, 'nested', 'model.safetensors');
    const tensors: Record<string, SafetensorEntry> = {
      'w.weight': { dtype: 'F32', shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
      'pos.ids': { dtype: 'I64', shape: [3], values: new BigInt64Array([0n, 1n, 2n]) },
    };
    await writeSafetensors(path, tensors, { format: 'pt' });
    const file = await readSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('w.weight')).toEqual(tensors['w.weight']);
    expect(file.tensors.get('pos.ids')).toEqual(tensors['pos.ids']);
  });
});

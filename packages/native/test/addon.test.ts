import { afterAll, describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/index';
import { maxRelativeError, randomFloats, referenceMatMul } from './helpers/reference';

const addon = nativeAddon();
if (!addon)
  throw new Error('the addon is not built: run `node scripts/build.mjs --strict` in packages/native');

interface Case {
  batch: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  broadcast?: 'a' | 'b';
}

/** Lays A, B and C out in one buffer with gaps, runs the addon, and checks C and the gaps. */
function check(c: Case, seed: number): number {
  const strideA = c.broadcast === 'a' ? 0 : c.m * c.k;
  const strideB = c.broadcast === 'b' ? 0 : c.k * c.n;
  const sizeA = (c.broadcast === 'a' ? 1 : c.batch) * c.m * c.k;
  const sizeB = (c.broadcast === 'b' ? 1 : c.batch) * c.k * c.n;
  const sizeC = c.batch * c.m * c.n;
  const gap = 2;
  const aAt = gap;
  const bAt = aAt + sizeA + gap;
  const cAt = bAt + sizeB + gap;
  const buffer = randomFloats(cAt + sizeC + gap, seed);
  const before = buffer.slice();
  addon?.sgemm(
    buffer.buffer,
    aAt * 4,
    bAt * 4,
    cAt * 4,
    c.batch,
    c.m,
    c.n,
    c.k,
    c.transposeA,
    c.transposeB,
    strideA,
    strideB,
    -1,
    0,
    0,
    0,
  );
  const expected = referenceMatMul(before.subarray(aAt, bAt), before.subarray(bAt, cAt), c, strideA, strideB);
  // Nothing outside C may change.
  expect(buffer.subarray(0, cAt)).toEqual(before.subarray(0, cAt));
  expect(buffer.subarray(cAt + sizeC)).toEqual(before.subarray(cAt + sizeC));
  return maxRelativeError(buffer.subarray(cAt, cAt + sizeC), expected);
}

const SHAPES: Case[] = [
  { batch: 1, m: 1, n: 1, k: 1, transposeA: false, transposeB: false },
  { batch: 1, m: 6, n: 16, k: 8, transposeA: false, transposeB: false },
  { batch: 1, m: 7, n: 17, k: 3, transposeA: true, transposeB: false },
  { batch: 1, m: 1, n: 50, k: 33, transposeA: false, transposeB: true },
  { batch: 1, m: 29, n: 1, k: 40, transposeA: true, transposeB: true },
  { batch: 1, m: 20, n: 30, k: 1, transposeA: false, transposeB: false },
  { batch: 3, m: 13, n: 21, k: 9, transposeA: false, transposeB: true },
  { batch: 4, m: 11, n: 35, k: 20, transposeA: true, transposeB: false, broadcast: 'b' },
  { batch: 5, m: 9, n: 18, k: 7, transposeA: false, transposeB: false, broadcast: 'a' },
  // Several kc blocks (k > 256), several mc blocks (m > 144) and a ragged last tile.
  { batch: 1, m: 151, n: 70, k: 300, transposeA: false, transposeB: false },
  { batch: 1, m: 150, n: 97, k: 520, transposeA: true, transposeB: true },
  // More columns than one nc block (4080).
  { batch: 1, m: 7, n: 4100, k: 5, transposeA: false, transposeB: true },
  // Large enough for the two-thread split: over batches, then over columns, then over rows.
  { batch: 6, m: 64, n: 64, k: 96, transposeA: false, transposeB: true },
  { batch: 1, m: 100, n: 260, k: 128, transposeA: false, transposeB: false },
  { batch: 1, m: 260, n: 100, k: 128, transposeA: true, transposeB: false },
  { batch: 3, m: 90, n: 70, k: 200, transposeA: false, transposeB: false },
];

const kernels: Array<'portable' | 'avx2'> = addon.hasAvx2Fma() ? ['portable', 'avx2'] : ['portable'];

describe('native sgemm', () => {
  afterAll(() => {
    addon.setKernel('auto');
    addon.setThreads(2);
  });

  for (const kernel of kernels)
    for (const threads of [1, 2])
      it(`matches a float64 reference (${kernel}, ${threads} thread(s))`, () => {
        expect(addon.setKernel(kernel)).toBe(true);
        expect(addon.setThreads(threads)).toBe(threads);
        SHAPES.forEach((shape, index) => {
          expect(check(shape, 100 + index), JSON.stringify(shape)).toBeLessThan(2e-5);
        });
      });

  it('writes zeros for K = 0 and leaves empty outputs alone', () => {
    const buffer = new Float32Array(64).fill(7);
    addon.sgemm(buffer, 0, 0, 16, 1, 3, 4, 0, false, false, 0, 0, -1, 0, 0, 0);
    expect(Array.from(buffer.subarray(4, 16))).toEqual(new Array(12).fill(0));
    expect(buffer[16]).toBe(7);
    addon.sgemm(buffer, 0, 0, 0, 1, 0, 4, 5, false, false, 0, 0, -1, 0, 0, 0);
    expect(buffer[0]).toBe(7);
  });

  it('adds a per-column or scalar bias and applies activations', () => {
    // A = [[1, -2]], B = I2, bias = [0.5, 0.5] -> [1.5, -1.5]
    const buffer = new Float32Array([1, -2, 1, 0, 0, 1, 0.5, 0.5, 0, 0]);
    const run = (biasSize: number, activation: number, alpha = 0) => {
      addon.sgemm(buffer, 0, 8, 32, 1, 1, 2, 2, false, false, 0, 0, 24, biasSize, activation, alpha);
      return Array.from(buffer.subarray(8, 10));
    };
    expect(run(2, 0)).toEqual([1.5, -1.5]);
    expect(run(2, 1)).toEqual([1.5, 0]);
    expect(run(1, 3, 0.1).map((v) => Number(v.toFixed(5)))).toEqual([1.5, -0.15]);
    const sigmoid = run(2, 4);
    expect(sigmoid[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 6);
    buffer.set([10, 0], 0);
    expect(run(2, 2)).toEqual([6, 0.5]);
  });

  it('refuses out-of-bounds or misaligned operands with an Error instead of touching memory', () => {
    const buffer = new Float32Array(16);
    expect(() => addon.sgemm(buffer, 0, 0, 56, 1, 2, 2, 2, false, false, 0, 0, -1, 0, 0, 0)).toThrow(
      /C .*runs past/,
    );
    expect(() => addon.sgemm(buffer, 2, 0, 0, 1, 2, 2, 2, false, false, 0, 0, -1, 0, 0, 0)).toThrow(
      /multiple of 4/,
    );
    expect(() => addon.sgemm(buffer, 0, 0, 0, 3, 2, 2, 2, false, false, 8, 0, -1, 0, 0, 0)).toThrow(
      /A .*runs past/,
    );
    expect(() => addon.sgemm(buffer, 0, 0, 0, 1, 2, 2, 2, false, false, 0, 0, 60, 2, 0, 0)).toThrow(/bias/);
    expect(() => addon.sgemm(buffer, 0, 0, 0, 1, -1, 2, 2, false, false, 0, 0, -1, 0, 0, 0)).toThrow(
      /argument m/,
    );
    expect(() =>
      addon.sgemm({} as ArrayBuffer, 0, 0, 0, 1, 1, 1, 1, false, false, 0, 0, -1, 0, 0, 0),
    ).toThrow(/buffer must be/);
  });

  it('reports its micro-kernel and refuses unknown ones', () => {
    expect(addon.setKernel('portable')).toBe(true);
    expect(addon.kernelName()).toBe('portable-6x16');
    expect(addon.setKernel('auto')).toBe(true);
    expect(addon.kernelName()).toBe(addon.hasAvx2Fma() ? 'avx2-fma-6x16' : 'portable-6x16');
    expect(() => addon.setKernel('sse9' as 'auto')).toThrow(/expected 'auto'/);
  });
});

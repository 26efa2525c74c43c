import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tracker } from '@trl/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsoleTracker,
  crc32c,
  JsonlTracker,
  MultiTracker,
  maskedCrc32c,
  TensorBoardTracker,
} from '../src/io/index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trl-tracker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('crc32c', () => {
  it('matches the standard check value and known vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI) test vector: 32 bytes of zeros.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('masks as TFRecord does', () => {
    const crc = 0xe3069283;
    const expected = ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(expected);
  });
});

describe('JsonlTracker', () => {
  it('writes one parseable JSON object per call, spelling out non-finite values', async () => {
    const path = join(dir, 'logs', 'metrics.jsonl');
    const tracker = new JsonlTracker(path);
    const before = Date.now() / 1000;
    tracker.log({ 'ppo/loss/total': 0.5, 'objective/kl': Number.NaN }, 0);
    tracker.log({ 'ppo/loss/total': Number.POSITIVE_INFINITY, x: Number.NEGATIVE_INFINITY }, 1);
    tracker.logText('samples', 'hello\n"world"', 1);
    tracker.flush();
    tracker.close();
    tracker.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ step: 0, 'ppo/loss/total': 0.5, 'objective/kl': 'NaN' });
    expect(records[1]).toMatchObject({ step: 1, 'ppo/loss/total': 'Infinity', x: '-Infinity' });
    expect(records[2]).toMatchObject({ step: 1, tag: 'samples', text: 'hello\n"world"' });
    expect(Object.keys(records[0] as object).slice(0, 2)).toEqual(['step', 'time']);
    expect(records[0]?.time as number).toBeGreaterThanOrEqual(before - 1);
  });

  it('appends on reopen by default and truncates when asked', async () => {
    const path = join(dir, 'm.jsonl');
    const first = new JsonlTracker(path);
    first.log({ a: 1 }, 0);
    first.close();
    const second = new JsonlTracker(path);
    second.log({ a: 2 }, 1);
    second.close();
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(2);
    const fresh = new JsonlTracker(path, { append: false });
    fresh.log({ a: 3 }, 0);
    fresh.close();
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(1);
  });

  it('rejects bad input by name and refuses to log after close', () => {
    const tracker = new JsonlTracker(join(dir, 'x.jsonl'));
    expect(() => tracker.log({ a: 1 }, -1)).toThrow(/step/);
    expect(() => tracker.log({ a: 1 }, 1.5)).toThrow(/step/);
    expect(() => tracker.log({ a: '1' as unknown as number }, 0)).toThrow(/metrics\["a"\]/);
    expect(() => tracker.log({ step: 1 }, 0)).toThrow(/"step" is reserved/);
    tracker.close();
    expect(() => tracker.log({ a: 1 }, 0)).toThrow(/closed/);
    expect(() => new JsonlTracker('')).toThrow(/path/);
  });
});

/** A decoded protobuf field: varints as numbers, fixed64 as double, fixed32 as float, the rest as bytes. */
interface Field {
  field: number;
  value: number | Uint8Array;
}

/** A minimal protobuf decoder written for the test, independent of the writer. */
function decodeMessage(bytes: Uint8Array): Field[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Field[] = [];
  let position = 0;
  const readVarint = () => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[position++] as number;
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (position < bytes.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) fields.push({ field, value: readVarint() });
    else if (wire === 1) {
      fields.push({ field, value: view.getFloat64(position, true) });
      position += 8;
    } else if (wire === 5) {
      fields.push({ field, value: view.getFloat32(position, true) });
      position += 4;
    } else if (wire === 2) {
      const length = readVarint();
      fields.push({ field, value: bytes.subarray(position, position + length) });
      position += length;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  expect(position).toBe(bytes.length);
  return fields;
}

const text = (value: number | Uint8Array | undefined) => new TextDecoder().decode(value as Uint8Array);
const only = (fields: Field[], number: number) =>
  fields.filter((entry) => entry.field === number).map((entry) => entry.value);

/** Splits a TFRecord file into records, checking both masked CRCs of each. */
function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let position = 0;
  while (position < file.length) {
    const length = Number(view.getBigUint64(position, true));
    expect(view.getUint32(position + 8, true)).toBe(maskedCrc32c(file.subarray(position, position + 8)));
    const data = file.subarray(position + 12, position + 12 + length);
    expect(view.getUint32(position + 12 + length, true)).toBe(maskedCrc32c(data));
    records.push(data);
    position += 16 + length;
  }
  expect(position).toBe(file.length);
  return records;
}

describe('TensorBoardTracker', () => {
  it('writes a TFRecord event file that decodes to the logged scalars and text', async () => {
    const logDir = join(dir, 'tb', 'run1');
    const tracker = new TensorBoardTracker(logDir);
    tracker.log({ 'ppo/loss/total': 0.25, 'objective/kl': Number.NaN }, 3);
    tracker.log({ 'ppo/loss/total': -1.5 }, 4_000_000_000);
    tracker.logText('samples', 'héllo', 4);
    tracker.close();

    const names = await readdir(logDir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^events\.out\.tfevents\.\d{10}\.[^/]+$/);
    expect(tracker.path).toBe(join(logDir, names[0] as string));
    const records = readRecords(new Uint8Array(await readFile(tracker.path)));
    expect(records).toHaveLength(4);

    const version = decodeMessage(records[0] as Uint8Array);
    expect(text(only(version, 3)[0])).toBe('brain.Event:2');
    expect(Math.abs((only(version, 1)[0] as number) - Date.now() / 1000)).toBeLessThan(600);

    const first = decodeMessage(records[1] as Uint8Array);
    expect(only(first, 2)).toEqual([3]);
    const values = only(decodeMessage(only(first, 5)[0] as Uint8Array), 1).map((value) =>
      decodeMessage(value as Uint8Array),
    );
    expect(values.map((value) => text(only(value, 1)[0]))).toEqual(['ppo/loss/total', 'objective/kl']);
    expect(only(values[0] as Field[], 2)).toEqual([0.25]);
    expect(only(values[1] as Field[], 2)[0]).toBeNaN();

    const second = decodeMessage(records[2] as Uint8Array);
    expect(only(second, 2)).toEqual([4_000_000_000]);
    const secondValue = decodeMessage(
      only(decodeMessage(only(second, 5)[0] as Uint8Array), 1)[0] as Uint8Array,
    );
    expect(only(secondValue, 2)).toEqual([-1.5]);

    const textEvent = decodeMessage(records[3] as Uint8Array);
    const textValue = decodeMessage(
      only(decodeMessage(only(textEvent, 5)[0] as Uint8Array), 1)[0] as Uint8Array,
    );
    expect(text(only(textValue, 1)[0])).toBe('samples');
    const pluginData = decodeMessage(
      only(decodeMessage(only(textValue, 9)[0] as Uint8Array), 1)[0] as Uint8Array,
    );
    expect(text(only(pluginData, 1)[0])).toBe('text');
    const tensor = decodeMessage(only(textValue, 8)[0] as Uint8Array);
    expect(only(tensor, 1)).toEqual([7]);
    expect(text(only(tensor, 8)[0])).toBe('héllo');
  });

  it('gives a second writer in the same directory its own file', async () => {
    const a = new TensorBoardTracker(dir);
    const b = new TensorBoardTracker(dir);
    expect(a.path).not.toBe(b.path);
    a.close();
    b.close();
    expect((await readdir(dir)).filter((name) => name.startsWith('events.out.tfevents.'))).toHaveLength(2);
  });

  it('rejects bad input by name', () => {
    const tracker = new TensorBoardTracker(dir);
    expect(() => tracker.log({ a: 1 }, Number.NaN)).toThrow(/step/);
    expect(() => tracker.log({ a: null as unknown as number }, 1)).toThrow(/metrics\["a"\]/);
    tracker.close();
    expect(() => tracker.log({ a: 1 }, 1)).toThrow(/closed/);
    expect(() => new TensorBoardTracker('')).toThrow(/logDir/);
  });
});

describe('ConsoleTracker and MultiTracker', () => {
  it('ConsoleTracker prints one line per step with short numbers', () => {
    const lines: string[] = [];
    const tracker = new ConsoleTracker({ stream: { write: (chunk: string) => lines.push(chunk) }, every: 2 });
    tracker.log({ loss: 0.51234, kl: 1.5e-7, tokens: 128, bad: Number.NaN }, 2);
    tracker.log({ loss: 0.4 }, 3);
    expect(lines).toEqual(['step 2 | loss=0.5123 kl=1.500e-7 tokens=128 bad=NaN\n']);
  });

  it('MultiTracker forwards to every tracker and reports failures by position', async () => {
    const lines: string[] = [];
    const path = join(dir, 'multi.jsonl');
    const jsonl = new JsonlTracker(path);
    const failing: Tracker = {
      log: () => {
        throw new Error('disk full');
      },
      flush: () => {},
      close: () => {},
    };
    const multi = new MultiTracker([
      jsonl,
      new ConsoleTracker({ stream: { write: (chunk: string) => lines.push(chunk) } }),
    ]);
    await multi.log({ loss: 1 }, 7);
    await multi.logText('t', 'x', 7);
    await multi.close();
    expect(lines[0]).toBe('step 7 | loss=1\n');
    expect(JSON.parse((await readFile(path, 'utf8')).split('\n')[0] as string)).toMatchObject({
      step: 7,
      loss: 1,
    });

    const reached: number[] = [];
    const counting: Tracker = { log: (_, step) => void reached.push(step), flush: () => {}, close: () => {} };
    const partly = new MultiTracker([failing, counting]);
    await expect(partly.log({ a: 1 }, 5)).rejects.toThrow(/trackers\[0\].*disk full/);
    expect(reached).toEqual([5]);
    expect(() => new MultiTracker([{} as Tracker])).toThrow(/trackers\[0\]/);
  });
});

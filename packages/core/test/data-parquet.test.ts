import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadDataset } from '../src/data/load-dataset';

/**
 * A minimal Parquet writer (one row group, one uncompressed PLAIN data page per column, required
 * columns), written from the format spec so the loader is tested on a file it did not produce.
 */
class Compact {
  readonly bytes: number[] = [];
  private lastField: number[] = [0];
  varint(value: bigint): void {
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (v > 0n);
  }
  zigzag(value: number | bigint): void {
    const v = BigInt(value);
    this.varint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
  }
  field(id: number, type: number): void {
    const last = this.lastField[this.lastField.length - 1] as number;
    this.bytes.push(((id - last) << 4) | type);
    this.lastField[this.lastField.length - 1] = id;
  }
  i32(id: number, value: number): void {
    this.field(id, 5);
    this.zigzag(value);
  }
  i64(id: number, value: number): void {
    this.field(id, 6);
    this.zigzag(value);
  }
  string(id: number, value: string): void {
    this.field(id, 8);
    const bytes = Buffer.from(value, 'utf8');
    this.varint(BigInt(bytes.length));
    this.bytes.push(...bytes);
  }
  struct(id: number, body: () => void): void {
    this.field(id, 12);
    this.inStruct(body);
  }
  inStruct(body: () => void): void {
    this.lastField.push(0);
    body();
    this.bytes.push(0);
    this.lastField.pop();
  }
  list(id: number, elementType: number, items: readonly (() => void)[]): void {
    this.field(id, 9);
    this.bytes.push((items.length << 4) | elementType);
    for (const item of items) item();
  }
}

type Column =
  | { name: string; kind: 'string'; values: string[] }
  | { name: string; kind: 'int64'; values: number[] };

function writeParquet(columns: Column[]): Uint8Array {
  const out: number[] = [...Buffer.from('PAR1')];
  const rows = columns[0]?.values.length ?? 0;
  const chunks: { column: Column; offset: number; size: number }[] = [];
  for (const column of columns) {
    const data: number[] = [];
    for (const value of column.values) {
      if (column.kind === 'string') {
        const bytes = Buffer.from(value as string, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length);
        data.push(...length, ...bytes);
      } else {
        const cell = Buffer.alloc(8);
        cell.writeBigInt64LE(BigInt(value as number));
        data.push(...cell);
      }
    }
    const header = new Compact();
    header.inStruct(() => {
      header.i32(1, 0); // DATA_PAGE
      header.i32(2, data.length);
      header.i32(3, data.length);
      header.struct(5, () => {
        header.i32(1, rows);
        header.i32(2, 0); // PLAIN
        header.i32(3, 3); // RLE
        header.i32(4, 3);
      });
    });
    const offset = out.length;
    out.push(...header.bytes, ...data);
    chunks.push({ column, offset, size: out.length - offset });
  }
  const meta = new Compact();
  meta.inStruct(() => {
    meta.i32(1, 1);
    meta.list(2, 12, [
      () =>
        meta.inStruct(() => {
          meta.string(4, 'schema');
          meta.i32(5, columns.length);
        }),
      ...columns.map(
        (column) => () =>
          meta.inStruct(() => {
            meta.i32(1, column.kind === 'string' ? 6 : 2); // BYTE_ARRAY or INT64
            meta.i32(3, 0); // REQUIRED
            meta.string(4, column.name);
            if (column.kind === 'string') meta.i32(6, 0); // UTF8
          }),
      ),
    ]);
    meta.i64(3, rows);
    meta.list(4, 12, [
      () =>
        meta.inStruct(() => {
          meta.list(
            1,
            12,
            chunks.map(
              (chunk) => () =>
                meta.inStruct(() => {
                  meta.i64(2, chunk.offset);
                  meta.struct(3, () => {
                    meta.i32(1, chunk.column.kind === 'string' ? 6 : 2);
                    meta.list(2, 5, [() => meta.zigzag(0)]);
                    meta.list(3, 8, [
                      () => {
                        const name = Buffer.from(chunk.column.name);
                        meta.varint(BigInt(name.length));
                        meta.bytes.push(...name);
                      },
                    ]);
                    meta.i32(4, 0); // UNCOMPRESSED
                    meta.i64(5, rows);
                    meta.i64(6, chunk.size);
                    meta.i64(7, chunk.size);
                    meta.i64(9, chunk.offset);
                  });
                }),
            ),
          );
          meta.i64(
            2,
            chunks.reduce((sum, chunk) => sum + chunk.size, 0),
          );
          meta.i64(3, rows);
        }),
    ]);
  });
  const length = Buffer.alloc(4);
  length.writeUInt32LE(meta.bytes.length);
  out.push(...meta.bytes, ...length, ...Buffer.from('PAR1'));
  return Uint8Array.from(out);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trl-parquet-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('loads a Parquet file with string and int64 columns into rows', async () => {
  const path = join(dir, 'pairs.parquet');
  await writeFile(
    path,
    writeParquet([
      { name: 'chosen', kind: 'string', values: ['good', 'très bien', ''] },
      { name: 'rejected', kind: 'string', values: ['bad', 'mal', 'x'] },
      { name: 'margin', kind: 'int64', values: [0, 2, -1] },
    ]),
  );
  const dataset = await loadDataset(path);
  expect(dataset.toArray()).toEqual([
    { chosen: 'good', rejected: 'bad', margin: 0 },
    { chosen: 'très bien', rejected: 'mal', margin: 2 },
    { chosen: '', rejected: 'x', margin: -1 },
  ]);
});

it('names the file when a Parquet file is truncated', async () => {
  const path = join(dir, 'broken.parquet');
  const bytes = writeParquet([{ name: 'text', kind: 'string', values: ['a'] }]);
  await writeFile(path, bytes.slice(0, bytes.length - 12));
  await expect(loadDataset(path)).rejects.toThrow(/broken\.parquet: not a readable Parquet file/);
});

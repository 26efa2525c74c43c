import { TrlError } from '@trl/spec';
import { Rng } from '../train/rng';

/** Options of {@link Dataset.trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Fraction (0 < x < 1) or number of rows (integer ≥ 1) that go to the test split. */
  testSize: number;
  /** Shuffle before splitting (default true, as `datasets`). */
  shuffle?: boolean;
  /** Seed of the shuffle. Default 42. */
  seed?: number;
}

/** The two halves returned by {@link Dataset.trainTestSplit}. */
export interface DatasetSplits<Row> {
  /** Rows to train on. */
  train: Dataset<Row>;
  /** Rows held out. */
  test: Dataset<Row>;
}

/**
 * An in-memory table of rows, immutable like a Hugging Face `datasets.Dataset`: `map`, `filter`,
 * `shuffle` and `trainTestSplit` return new datasets and never touch the rows of this one.
 */
export class Dataset<Row> implements Iterable<Row> {
  private readonly rows: readonly Row[];

  /** Wraps `rows` (copied, so later edits of the array do not leak in). */
  constructor(rows: readonly Row[]) {
    if (!Array.isArray(rows))
      throw new TrlError('invalid-argument', 'Dataset: `rows` must be an array of rows.');
    this.rows = rows.slice();
  }

  /** Shorthand for `new Dataset(rows)`. */
  static from<Row>(rows: readonly Row[]): Dataset<Row> {
    return new Dataset(rows);
  }

  /** Number of rows. */
  get length(): number {
    return this.rows.length;
  }

  /** The row at `index` (negative counts from the end). */
  at(index: number): Row {
    const row = this.rows.at(index);
    if (row === undefined && (index >= this.rows.length || index < -this.rows.length)) {
      throw new TrlError(
        'invalid-argument',
        `Dataset.at: index ${index} is outside 0..${this.rows.length - 1}.`,
      );
    }
    return row as Row;
  }

  /** A copy of all rows. */
  toArray(): Row[] {
    return this.rows.slice();
  }

  /** Iterates the rows in order. */
  [Symbol.iterator](): Iterator<Row> {
    return this.rows[Symbol.iterator]();
  }

  /** A new dataset of `fn(row, index)`; an error thrown by `fn` is rethrown with the row index. */
  map<Out>(fn: (row: Row, index: number) => Out): Dataset<Out> {
    return new Dataset(
      this.rows.map((row, index) => {
        try {
          return fn(row, index);
        } catch (error) {
          const message = `Dataset.map: row ${index}: ${(error as Error).message}`;
          // A bad row reported by `fn` as a TrlError keeps its code, so callers can still branch on it.
          if (error instanceof TrlError)
            throw Object.assign(new TrlError(error.code, message), { cause: error });
          throw new Error(message, { cause: error });
        }
      }),
    );
  }

  /** A new dataset of the rows for which `predicate` is true. */
  filter(predicate: (row: Row, index: number) => boolean): Dataset<Row> {
    return new Dataset(this.rows.filter(predicate));
  }

  /** The rows at `indices`, in that order. */
  select(indices: readonly number[]): Dataset<Row> {
    return new Dataset(indices.map((index) => this.at(index)));
  }

  /** A new dataset in a random order fixed by `seed` (the same seed always gives the same order). */
  shuffle(seed = 42): Dataset<Row> {
    return new Dataset(new Rng(seed).shuffle(this.rows));
  }

  /** Splits into train and test rows; the test split gets `testSize` rows (or that fraction, rounded up). */
  trainTestSplit(options: TrainTestSplitOptions): DatasetSplits<Row> {
    const { testSize, shuffle = true, seed = 42 } = options ?? ({} as TrainTestSplitOptions);
    const total = this.rows.length;
    let testCount: number;
    if (typeof testSize === 'number' && testSize > 0 && testSize < 1) testCount = Math.ceil(total * testSize);
    else if (Number.isInteger(testSize) && testSize >= 1) testCount = testSize;
    else {
      throw new TrlError(
        'invalid-argument',
        `Dataset.trainTestSplit: \`testSize\` must be a fraction in (0, 1) or a row count ≥ 1, got ${String(testSize)}.`,
      );
    }
    if (testCount >= total) {
      throw new TrlError(
        'invalid-argument',
        `Dataset.trainTestSplit: the test split would take ${testCount} of ${total} rows, leaving none to train on; lower \`testSize\`.`,
      );
    }
    const rows = shuffle ? new Rng(seed).shuffle(this.rows) : this.rows.slice();
    return {
      train: new Dataset(rows.slice(0, total - testCount)),
      test: new Dataset(rows.slice(total - testCount)),
    };
  }
}

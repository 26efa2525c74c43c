import { TrlError } from '@trl/spec';

/** What to do with a line or record that cannot be parsed. */
export type OnBadRecord = 'fail' | 'skip';

/** A record that was skipped while loading, with where it was. */
export interface SkippedRecord {
  /** 1-based line number in the file. */
  line: number;
  /** Why it was skipped. */
  reason: string;
}

/** Options shared by the file loaders. */
export interface LoadOptions {
  /**
   * `fail` (default) throws on the first malformed line, naming the file and line; `skip` drops it and
   * reports it through `onSkip` (and the loader's `skipped` list).
   */
  onBadRecord?: OnBadRecord;
  /** Called for each skipped record when `onBadRecord` is `skip`. */
  onSkip?: (skipped: SkippedRecord) => void;
}

/** Throws or records a malformed record according to `options`. */
export function badRecord(
  path: string,
  record: SkippedRecord,
  options: LoadOptions,
  into: SkippedRecord[],
): void {
  if ((options.onBadRecord ?? 'fail') === 'fail') {
    throw new TrlError(
      'invalid-dataset',
      `${path}:${record.line}: ${record.reason}. Fix the line, or pass onBadRecord: 'skip' to drop malformed lines.`,
    );
  }
  into.push(record);
  options.onSkip?.(record);
}

/** Checks the `onBadRecord` option, naming the bad value. */
export function checkLoadOptions(fn: string, options: LoadOptions): void {
  const mode = options.onBadRecord ?? 'fail';
  if (mode !== 'fail' && mode !== 'skip') {
    throw new TrlError(
      'invalid-argument',
      `${fn}: \`onBadRecord\` must be 'fail' or 'skip', got ${JSON.stringify(mode)}.`,
    );
  }
}

import { type Metrics, type Tracker, TrlError } from '@trl/spec';
import { AppendFile } from './append-file';
import { assertLoggable, assertOpen, assertStep } from './validate';

/** Options of {@link JsonlTracker}. */
export interface JsonlTrackerOptions {
  /** Keep an existing file's lines and add to them (resuming a run). Default true; false truncates. */
  append?: boolean;
}

/** JSON has no NaN or Infinity; spell them as strings so every line still parses. */
function encodeNumber(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/**
 * Writes one JSON object per line: `{"step": 3, "time": 1732671234.5, "ppo/loss/total": 0.51, ...}`
 * (`time` in seconds since the epoch). Non-finite values become the strings "NaN", "Infinity" and
 * "-Infinity". Text goes on its own line as `{"step", "time", "tag", "text"}`. Easy to read back with
 * `jq`, pandas (`read_json(lines=True)`) or a few lines of TypeScript.
 */
export class JsonlTracker implements Tracker {
  private readonly file: AppendFile;

  /** Opens (creating directories) `path` for appending. */
  constructor(path: string, options: JsonlTrackerOptions = {}) {
    if (typeof path !== 'string' || path.length === 0) {
      throw new TrlError(
        'invalid-argument',
        `JsonlTracker: \`path\` must be a non-empty string, got ${String(path)}.`,
      );
    }
    this.file = new AppendFile(path, options.append === false ? 'w' : 'a');
  }

  /** The file being written. */
  get path(): string {
    return this.file.path;
  }

  /** Appends one line with the step, the wall time and every metric. */
  log(metrics: Metrics, step: number): void {
    assertOpen('JsonlTracker', this.file.closed);
    assertLoggable('JsonlTracker', metrics, step);
    const record: Record<string, number | string> = { step, time: Date.now() / 1000 };
    for (const [name, value] of Object.entries(metrics)) {
      if (name === 'step' || name === 'time') {
        throw new TrlError(
          'invalid-argument',
          `JsonlTracker.log: metric name "${name}" is reserved for the line's own field; rename it.`,
        );
      }
      record[name] = encodeNumber(value);
    }
    this.file.write(`${JSON.stringify(record)}\n`);
  }

  /** Appends one line holding `text` under `tag`. */
  logText(tag: string, text: string, step: number): void {
    assertOpen('JsonlTracker', this.file.closed);
    assertStep('JsonlTracker.logText', step);
    if (typeof tag !== 'string' || typeof text !== 'string') {
      throw new TrlError('invalid-argument', 'JsonlTracker.logText: `tag` and `text` must be strings.');
    }
    this.file.write(`${JSON.stringify({ step, time: Date.now() / 1000, tag, text })}\n`);
  }

  /** Forces the lines to disk. */
  flush(): void {
    this.file.sync();
  }

  /** Flushes and closes the file. Idempotent. */
  close(): void {
    this.file.close();
  }
}

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Metrics, type Tracker, TrlError } from '@trl/spec';
import { AppendFile } from './append-file';
import { fileVersionEvent, scalarsEvent, textEvent } from './event-proto';
import { frameTfRecord } from './tfrecord';
import { assertLoggable, assertOpen, assertStep } from './validate';

/** A name in TensorBoard's pattern that no other writer in `logDir` is using. */
function freshEventFileName(logDir: string): string {
  const base = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}`;
  if (!existsSync(join(logDir, base))) return base;
  for (let suffix = 1; ; suffix++) {
    const candidate = `${base}.${process.pid}.${suffix}`;
    if (!existsSync(join(logDir, candidate))) return candidate;
  }
}

/**
 * Writes a TensorBoard event file (`events.out.tfevents.<time>.<host>` in `logDir`) without TensorFlow:
 * TFRecord-framed `Event` protos, first the file version, then one event per `log` with a scalar per
 * metric (`simple_value`, float32; NaN and infinities are kept). `logText` writes to the text plugin.
 * Point `tensorboard --logdir` at the parent directory to compare runs.
 */
export class TensorBoardTracker implements Tracker {
  private readonly file: AppendFile;

  /** Creates `logDir` if needed and starts a new event file in it. */
  constructor(logDir: string) {
    if (typeof logDir !== 'string' || logDir.length === 0) {
      throw new TrlError(
        'invalid-argument',
        `TensorBoardTracker: \`logDir\` must be a non-empty string, got ${String(logDir)}.`,
      );
    }
    this.file = new AppendFile(join(logDir, freshEventFileName(logDir)), 'wx');
    this.file.write(frameTfRecord(fileVersionEvent(Date.now() / 1000)));
  }

  /** The event file being written. */
  get path(): string {
    return this.file.path;
  }

  /** Appends one event with a scalar summary per metric. */
  log(metrics: Metrics, step: number): void {
    assertOpen('TensorBoardTracker', this.file.closed);
    assertLoggable('TensorBoardTracker', metrics, step);
    const scalars = Object.entries(metrics);
    if (scalars.length === 0) return;
    this.file.write(frameTfRecord(scalarsEvent(Date.now() / 1000, step, scalars)));
  }

  /** Appends one text-plugin event. */
  logText(tag: string, text: string, step: number): void {
    assertOpen('TensorBoardTracker', this.file.closed);
    assertStep('TensorBoardTracker.logText', step);
    if (typeof tag !== 'string' || typeof text !== 'string') {
      throw new TrlError('invalid-argument', 'TensorBoardTracker.logText: `tag` and `text` must be strings.');
    }
    this.file.write(frameTfRecord(textEvent(Date.now() / 1000, step, tag, text)));
  }

  /** Forces the events to disk (TensorBoard picks them up on its next poll). */
  flush(): void {
    this.file.sync();
  }

  /** Flushes and closes the file. Idempotent. */
  close(): void {
    this.file.close();
  }
}

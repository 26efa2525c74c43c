import { type Metrics, type Tracker, TrlError } from '@trl/spec';
import { formatMetrics } from '../format-metrics';
import type { TextSink } from './text-sink';
import { assertLoggable, assertOpen, assertStep } from './validate';

/** Options of {@link ConsoleTracker}. */
export interface ConsoleTrackerOptions {
  /** Where lines go. Default `process.stdout`. */
  stream?: TextSink;
  /** Metric names to print, in this order; default all of them. */
  keys?: readonly string[];
  /** Print only every n-th step (the rest are dropped). Default 1. */
  every?: number;
}

/** Prints one line per logged step, e.g. `step 3 | ppo/loss/total=0.512 objective/kl=0.0123`. */
export class ConsoleTracker implements Tracker {
  private readonly stream: TextSink;
  private readonly keys: readonly string[] | undefined;
  private readonly every: number;
  private closed = false;

  /** @param options output stream, metric selection and frequency. */
  constructor(options: ConsoleTrackerOptions = {}) {
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new TrlError(
        'invalid-argument',
        `ConsoleTracker: \`every\` must be an integer >= 1, got ${String(options.every)}.`,
      );
    }
    this.stream = options.stream ?? process.stdout;
    this.keys = options.keys;
    this.every = every;
  }

  /** Prints the step's metrics (when the step is a multiple of `every`). */
  log(metrics: Metrics, step: number): void {
    assertOpen('ConsoleTracker', this.closed);
    assertLoggable('ConsoleTracker', metrics, step);
    if (step % this.every !== 0) return;
    this.stream.write(`step ${step} | ${formatMetrics(metrics, this.keys)}\n`);
  }

  /** Prints `[tag] step n:` and the text. */
  logText(tag: string, text: string, step: number): void {
    assertOpen('ConsoleTracker', this.closed);
    assertStep('ConsoleTracker.logText', step);
    this.stream.write(`[${tag}] step ${step}:\n${text}\n`);
  }

  /** Nothing is buffered. */
  flush(): void {}

  /** Stops accepting logs. Idempotent; never closes the stream itself. */
  close(): void {
    this.closed = true;
  }
}

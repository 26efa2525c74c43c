import { type Metrics, TrlError } from '@trl/spec';
import cliProgress from 'cli-progress';
import { formatMetrics } from './format-metrics';
import type { TextSink } from './tracker/text-sink';

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Number of steps in the run. */
  total: number;
  /** Word in front of the counter. Default `'step'`. */
  label?: string;
  /** Output. Default `process.stdout`; its `isTTY` picks between a redrawn bar and plain lines. */
  stream?: TextSink;
  /** Metric names to show, in this order; default all. */
  keys?: readonly string[];
  /** Without a TTY, print every n-th step (the last step always prints). Default 1. */
  every?: number;
}

/**
 * Training progress: a redrawn `cli-progress` bar on an interactive terminal, and one plain line per
 * step otherwise (`step 3/10 loss=0.512 kl=0.0123`), so CI logs and files stay readable instead of
 * filling with carriage returns. Call `stop()` when done (it releases the bar's redraw timer).
 */
export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: TextSink;
  private readonly keys: readonly string[] | undefined;
  private readonly every: number;
  private readonly bar: cliProgress.SingleBar | undefined;
  private stopped = false;

  /** Starts at step 0. */
  constructor(options: ProgressBarOptions) {
    const total = options?.total;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
      throw new TrlError(
        'invalid-argument',
        `ProgressBar: \`total\` must be an integer >= 0, got ${String(total)}.`,
      );
    }
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new TrlError(
        'invalid-argument',
        `ProgressBar: \`every\` must be an integer >= 1, got ${String(options.every)}.`,
      );
    }
    this.total = total;
    this.label = options.label ?? 'step';
    this.stream = options.stream ?? process.stdout;
    this.keys = options.keys;
    this.every = every;
    if (this.stream.isTTY === true) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream as NodeJS.WritableStream,
          format: `${this.label} [{bar}] {value}/{total} | eta {eta_formatted} | {metrics}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { metrics: '' });
    }
  }

  /** True when drawing a terminal bar rather than plain lines. */
  get interactive(): boolean {
    return this.bar !== undefined;
  }

  /** Moves to `step` (steps done so far) and shows `metrics`. */
  update(step: number, metrics: Metrics = {}): void {
    if (this.stopped) throw new Error('ProgressBar.update: the bar was stopped; create a new one.');
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      throw new TrlError(
        'invalid-argument',
        `ProgressBar.update: \`step\` must be an integer >= 0, got ${String(step)}.`,
      );
    }
    const shown = formatMetrics(metrics, this.keys);
    if (this.bar) {
      this.bar.update(step, { metrics: shown });
      return;
    }
    if (step % this.every !== 0 && step !== this.total) return;
    this.stream.write(`${this.label} ${step}/${this.total}${shown ? ` ${shown}` : ''}\n`);
  }

  /** Finishes the bar (leaving it on screen). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar?.stop();
  }
}

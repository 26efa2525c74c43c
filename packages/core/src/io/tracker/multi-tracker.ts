import { type Metrics, type Tracker, TrlError } from '@trl/spec';

/**
 * Fans every call out to several trackers (say JSONL + TensorBoard + console). All of them are called
 * even when one fails; the failures are then thrown together, each naming the tracker's position.
 */
export class MultiTracker implements Tracker {
  private readonly trackers: readonly Tracker[];

  /** @param trackers receivers, called in order. */
  constructor(trackers: readonly Tracker[]) {
    if (!Array.isArray(trackers))
      throw new TrlError('invalid-argument', 'MultiTracker: `trackers` must be an array of Tracker.');
    trackers.forEach((tracker, index) => {
      if (
        !tracker ||
        typeof tracker.log !== 'function' ||
        typeof tracker.flush !== 'function' ||
        typeof tracker.close !== 'function'
      ) {
        throw new TrlError(
          'invalid-argument',
          `MultiTracker: \`trackers[${index}]\` must implement log, flush and close.`,
        );
      }
    });
    this.trackers = [...trackers];
  }

  /** Logs to every tracker. */
  async log(metrics: Metrics, step: number): Promise<void> {
    await this.each('log', (tracker) => tracker.log(metrics, step));
  }

  /** Logs text to every tracker that supports it. */
  async logText(tag: string, text: string, step: number): Promise<void> {
    await this.each('logText', (tracker) => tracker.logText?.(tag, text, step));
  }

  /** Flushes every tracker. */
  async flush(): Promise<void> {
    await this.each('flush', (tracker) => tracker.flush());
  }

  /** Closes every tracker. Idempotent as long as the trackers are. */
  async close(): Promise<void> {
    await this.each('close', (tracker) => tracker.close());
  }

  private async each(method: string, call: (tracker: Tracker) => void | Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.trackers.map(async (tracker) => call(tracker)));
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ index, reason: result.reason as unknown }] : [],
    );
    if (failures.length === 0) return;
    const detail = failures
      .map(
        ({ index, reason }) =>
          `trackers[${index}] (${this.trackers[index]?.constructor.name}): ${reason instanceof Error ? reason.message : String(reason)}`,
      )
      .join('; ');
    throw new AggregateError(
      failures.map(({ reason }) => reason),
      `MultiTracker.${method}: ${detail}`,
    );
  }
}

import { type Metrics, TrlError } from '@trl/spec';

/** Throws unless `step` is a non-negative integer and every metric is a number; names the field. */
export function assertLoggable(owner: string, metrics: unknown, step: unknown): asserts metrics is Metrics {
  assertStep(owner, step);
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new TrlError('invalid-argument', `${owner}.log: \`metrics\` must be an object of name → number.`);
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') {
      throw new TrlError(
        'invalid-argument',
        `${owner}.log: \`metrics["${name}"]\` must be a number, got ${typeof value}.`,
      );
    }
  }
}

/** Throws unless `step` is a non-negative safe integer. */
export function assertStep(owner: string, step: unknown): asserts step is number {
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new TrlError(
      'invalid-argument',
      `${owner}: \`step\` must be an integer >= 0, got ${String(step)}.`,
    );
  }
}

/** Throws when a tracker is used after `close()`. */
export function assertOpen(owner: string, closed: boolean): void {
  if (closed) throw new Error(`${owner}: the tracker is closed; create a new one to keep logging.`);
}

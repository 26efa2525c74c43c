/**
 * Trackers for tests of training loops. Workspace-free (structural types instead of `@trl/spec`'s
 * `Tracker`), so `@trl/core`'s own tests can import this module by relative path.
 */

/** Metrics as trackers receive them. */
export type LoggedMetrics = Record<string, number>;

/** Structurally a `Tracker` of `@trl/spec`. */
export interface TestTracker {
  /** Receives one step's metrics. */
  log(metrics: LoggedMetrics, step: number): void;
  /** Does nothing: nothing is buffered. */
  flush(): void;
  /** Does nothing: nothing is open. */
  close(): void;
}

/** A tracker that keeps every `log` call, as `[metrics, step]` in order. */
export function collectingTracker(): { tracker: TestTracker; logged: [LoggedMetrics, number][] } {
  const logged: [LoggedMetrics, number][] = [];
  return {
    logged,
    tracker: {
      log: (metrics, step) => void logged.push([metrics, step]),
      flush: () => undefined,
      close: () => undefined,
    },
  };
}

/** A tracker that aborts `controller` when a step numbered `step` is logged (an interrupted job). */
export function abortingTracker(step: number, controller: AbortController): TestTracker {
  return {
    log: (_, logged) => {
      if (logged === step) controller.abort();
    },
    flush: () => undefined,
    close: () => undefined,
  };
}

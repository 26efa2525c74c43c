/** A flat map of metric names (TRL's keys, e.g. `ppo/loss/total`) to values. */
export type Metrics = Record<string, number>;

/** Receives training metrics; JSONL files, TensorBoard event files, a console, or several at once. */
export interface Tracker {
  /** Records the metrics of one step. Non-finite values are kept (they signal a problem). */
  log(metrics: Metrics, step: number): void | Promise<void>;
  /** Records a piece of text (sample generations, a config) at a step. Optional. */
  logText?(tag: string, text: string, step: number): void | Promise<void>;
  /** Writes everything buffered so far. */
  flush(): void | Promise<void>;
  /** Flushes and releases files. Idempotent. */
  close(): void | Promise<void>;
}

import type { TextSink } from '@trl/core';

/** Where the CLI writes: the resolved config and summaries to `stdout`, progress and errors to `stderr`. */
export interface CliIo {
  /** Standard output. */
  stdout: TextSink;
  /** Standard error (progress bar, warnings, errors). */
  stderr: TextSink;
}

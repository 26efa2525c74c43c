import type { SpecificationVersion } from './version';

/** Options passed to every tool call. */
export interface ToolCallOptions {
  /**
   * Aborted when the caller gives up on the call (timeout, episode ended). Long-running tools
   * should stop work when it fires; the caller never waits for them after that.
   */
  signal: AbortSignal;
}

/**
 * A tool the model can call inside a text environment: text in, text out. A bad query is answered,
 * not thrown: the bundled tools return text the model can learn from (`Error: division by zero`, a
 * Python traceback, `No results for ...`). Throw only when the tool cannot answer at all (closed,
 * broken backend); the environment turns a thrown error into text for the model too, so a failing
 * tool never ends an episode.
 */
export interface Tool {
  /** Optional spec version; tools written against `v1` may omit it. */
  readonly specificationVersion?: SpecificationVersion;
  /** The name the model writes between the request tokens, e.g. `Calculator`. No whitespace or `<`/`>`. */
  readonly name: string;
  /** One or two sentences on what the tool does and what input it expects; shown in prompts and docs. */
  readonly description: string;
  /**
   * Runs the tool on the model's query text and returns its answer as text.
   * May be synchronous or asynchronous.
   */
  call(input: string, options: ToolCallOptions): string | Promise<string>;
  /** Releases resources (worker threads, database handles). Idempotent. */
  close?(): void | Promise<void>;
}

/** Where human-readable output goes: `process.stdout`, `process.stderr`, or a test double. */
export interface TextSink {
  /** Writes a chunk of text. */
  write(chunk: string): unknown;
  /** Whether the sink is an interactive terminal (enables redrawn progress bars). */
  isTTY?: boolean;
}

import type { CappedTextSnapshot } from './capped-text';

/** Everything one execution produced, before it is turned into the tool's answer. */
export interface ExecutionOutput {
  /** What the program wrote to stdout (capped). */
  stdout: CappedTextSnapshot;
  /** What the program wrote to stderr, including a traceback if it failed (capped). */
  stderr: CappedTextSnapshot;
  /** `repr` of the final expression when `returnLastExpression` is on and it was not `None`. */
  result: string | null;
  /** Host-side notices shown last, e.g. that the call timed out or the interpreter was restarted. */
  notices: string[];
}

/** Marker written where characters were dropped. */
export function truncationMarker(omittedChars: number): string {
  return `\n...[${omittedChars} characters truncated]...\n`;
}

/**
 * Renders an execution as the tool's answer: stdout first, then `Out: <repr>`, then stderr
 * (tracebacks) under a `[stderr]` label, then notices, so the error a model must react to comes
 * last. The printed content is cut to `maxChars` in total; each section keeps its head and tail
 * (stderr mostly its tail, where the exception line is).
 */
export function formatExecutionOutput(output: ExecutionOutput, maxChars: number): string {
  const sections = [
    { snapshot: output.stdout, tailShare: 0.4 },
    { snapshot: { head: output.result ?? '', tail: '', omittedChars: 0 }, tailShare: 0.2 },
    { snapshot: output.stderr, tailShare: 0.8 },
  ];
  const budgets = shareBudget(
    sections.map(({ snapshot }) => snapshot.head.length + snapshot.tail.length),
    maxChars,
  );
  const [stdout, result, stderr] = sections.map(({ snapshot, tailShare }, index) =>
    shorten(snapshot, budgets[index] as number, tailShare).replace(/\s+$/, ''),
  );
  const parts: string[] = [];
  if (stdout) parts.push(stdout);
  if (output.result !== null) parts.push(`Out: ${result}`);
  if (stderr) parts.push(`[stderr]\n${stderr}`);
  parts.push(...output.notices);
  return parts.length > 0 ? parts.join('\n') : '(no output)';
}

/** Splits `total` characters among sections of the given sizes: small ones whole, big ones equally. */
function shareBudget(sizes: number[], total: number): number[] {
  const budgets = sizes.map(() => 0);
  let remaining = total;
  const order = sizes.map((_, index) => index).sort((a, b) => (sizes[a] as number) - (sizes[b] as number));
  order.forEach((index, position) => {
    const fairShare = Math.floor(remaining / (order.length - position));
    const budget = Math.min(sizes[index] as number, fairShare);
    budgets[index] = budget;
    remaining -= budget;
  });
  return budgets;
}

/** Cuts a snapshot down to `budget` kept characters, `tailShare` of them from the end. */
function shorten(snapshot: CappedTextSnapshot, budget: number, tailShare: number): string {
  const { head, tail, omittedChars } = snapshot;
  if (omittedChars === 0 && head.length + tail.length <= budget) return head + tail;
  const whole = omittedChars === 0;
  const headSource = whole ? head + tail : head;
  const tailSource = whole ? head + tail : tail;
  const tailKeep = Math.min(tailSource.length, Math.floor(budget * tailShare));
  const headKeep = Math.min(headSource.length, budget - tailKeep);
  const kept = headKeep + tailKeep;
  const dropped = whole ? headSource.length - kept : omittedChars + head.length + tail.length - kept;
  return (
    headSource.slice(0, headKeep) +
    truncationMarker(dropped) +
    (tailKeep > 0 ? tailSource.slice(tailSource.length - tailKeep) : '')
  );
}

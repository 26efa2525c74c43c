import type { Readable } from 'node:stream';
import type { CappedTextSnapshot } from './capped-text';
import type { ChildMessage } from './sandbox-protocol';

/** Longest `unhealthy` reason kept from a sandbox process. */
const MAX_REASON_CHARS = 500;

/**
 * Reads newline-delimited JSON from a sandbox process. The process may be under an attacker's
 * control, so a line longer than `maxLineChars` or one that is not a well-formed
 * {@link ChildMessage} within the output limits ends the channel with `onInvalid` instead of
 * growing the host's memory or reaching the pool.
 */
export function readChildMessages(
  stream: Readable,
  limits: { maxLineChars: number; maxOutputChars: number },
  onMessage: (message: ChildMessage) => void,
  onInvalid: (reason: string) => void,
): void {
  let pending = '';
  let broken = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    if (broken) return;
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const message = parseChildMessage(line, limits.maxOutputChars);
      if (!message) {
        broken = true;
        onInvalid('the interpreter process sent an invalid message');
        return;
      }
      onMessage(message);
      newline = pending.indexOf('\n');
    }
    if (pending.length > limits.maxLineChars) {
      broken = true;
      onInvalid('the interpreter process sent an oversized message');
    }
  });
  stream.on('error', () => {});
}

function isSnapshot(value: unknown, maxChars: number): value is CappedTextSnapshot {
  if (!value || typeof value !== 'object') return false;
  const { head, tail, omittedChars } = value as Record<string, unknown>;
  return (
    typeof head === 'string' &&
    typeof tail === 'string' &&
    head.length <= maxChars &&
    tail.length <= maxChars &&
    typeof omittedChars === 'number' &&
    Number.isSafeInteger(omittedChars) &&
    omittedChars >= 0
  );
}

/** Parses one line into a {@link ChildMessage}, or returns null if it is anything else. */
export function parseChildMessage(line: string, maxOutputChars: number): ChildMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const message = value as Record<string, unknown>;
  if (message['type'] === 'ready') return { type: 'ready' };
  if (message['type'] === 'startup-error') {
    const text = message['message'];
    return typeof text === 'string'
      ? { type: 'startup-error', message: text.slice(0, MAX_REASON_CHARS) }
      : null;
  }
  if (message['type'] !== 'result') return null;
  const { id, stdout, stderr, result, interrupted, unhealthy } = message;
  // The repr is cut to the limit inside Python, plus the truncation marker.
  const maxResultChars = maxOutputChars + 64;
  if (
    typeof id !== 'number' ||
    // A snapshot with nothing dropped carries head and tail together in `head`.
    !isSnapshot(stdout, 2 * maxOutputChars) ||
    !isSnapshot(stderr, 2 * maxOutputChars) ||
    !(result === null || (typeof result === 'string' && result.length <= maxResultChars)) ||
    typeof interrupted !== 'boolean' ||
    !(unhealthy === null || typeof unhealthy === 'string')
  ) {
    return null;
  }
  return {
    type: 'result',
    id,
    stdout: { head: stdout.head, tail: stdout.tail, omittedChars: stdout.omittedChars },
    stderr: { head: stderr.head, tail: stderr.tail, omittedChars: stderr.omittedChars },
    result,
    interrupted,
    unhealthy: unhealthy === null ? null : unhealthy.slice(0, MAX_REASON_CHARS),
  };
}

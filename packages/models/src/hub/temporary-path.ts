import { randomBytes } from 'node:crypto';

/**
 * A sibling temp path for `target`. Downloads stream there and are renamed into place once complete,
 * so a crash or a concurrent reader never sees a half-written file in the cache.
 */
export function temporarySiblingPath(target: string): string {
  return `${target}.${process.pid}.${randomBytes(6).toString('hex')}.incomplete`;
}

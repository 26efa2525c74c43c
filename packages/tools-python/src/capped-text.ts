/** What a {@link CappedText} kept of a stream: the beginning, the end and how much was dropped between. */
export interface CappedTextSnapshot {
  /** The first characters of the stream. */
  head: string;
  /** The last characters of the stream; empty unless the stream outgrew the head. */
  tail: string;
  /** Characters (UTF-16 code units) dropped between head and tail. */
  omittedChars: number;
}

/**
 * Accumulates a UTF-8 byte stream (a program's stdout or stderr) in bounded memory: it keeps the
 * first `limit` characters and the last `limit` characters and only counts the rest, so a program
 * printing gigabytes costs O(limit) memory here.
 *
 * Self-contained on purpose (no imports, no outer references): each sandbox process receives this
 * class as source text, so output is capped where it is produced.
 */
export class CappedText {
  private readonly limit: number;
  private readonly headParts: string[] = [];
  private headChars = 0;
  private headDecoder = new TextDecoder();
  private tailParts: string[] = [];
  private tailChars = 0;
  private tailDecoder = new TextDecoder();
  private totalChars = 0;

  /** `limit` is the number of characters kept at each end. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Adds a chunk of the stream. */
  push(bytes: Uint8Array): void {
    let units = 0;
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index] as number;
      // Lead bytes start a code point; 4-byte sequences become a surrogate pair (2 code units).
      if (byte < 0x80 || (byte >= 0xc0 && byte < 0xf0)) units += 1;
      else if (byte >= 0xf0) units += 2;
    }
    this.totalChars += units;
    let rest = bytes;
    if (this.headChars < this.limit) {
      const room = this.limit - this.headChars;
      const take = Math.min(bytes.length, room * 4);
      let text = this.headDecoder.decode(bytes.subarray(0, take), { stream: true });
      if (text.length > room) text = text.slice(0, room);
      this.headParts.push(text);
      this.headChars += text.length;
      rest = bytes.subarray(take);
    }
    if (rest.length === 0) return;
    const window = this.limit * 4;
    if (rest.length > window) {
      // Only the end can survive; start at a code point boundary and forget any pending bytes.
      let start = rest.length - window;
      while (start < rest.length && ((rest[start] as number) & 0xc0) === 0x80) start++;
      rest = rest.subarray(start);
      this.tailDecoder = new TextDecoder();
    }
    const text = this.tailDecoder.decode(rest, { stream: true });
    this.tailParts.push(text);
    this.tailChars += text.length;
    if (this.tailChars > 2 * this.limit) {
      const joined = this.tailParts.join('').slice(-this.limit);
      this.tailParts = [joined];
      this.tailChars = joined.length;
    }
  }

  /** Adds already-decoded text (used for messages generated on the host side). */
  pushText(text: string): void {
    this.push(new TextEncoder().encode(text));
  }

  /** The kept head and tail and the number of characters dropped between them. */
  snapshot(): CappedTextSnapshot {
    const head = this.headParts.join('');
    const tail = this.tailParts.join('').slice(-this.limit);
    const omittedChars = Math.max(0, this.totalChars - head.length - tail.length);
    if (omittedChars === 0) return { head: head + tail, tail: '', omittedChars: 0 };
    return { head, tail, omittedChars };
  }
}

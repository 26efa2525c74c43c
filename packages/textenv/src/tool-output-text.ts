import { MarkerMatcher } from './marker-matcher';

/** Work done by one {@link stripMarkers} call, for tests and benchmarks. */
export interface StripStats {
  /** Code units pushed onto or popped off the output; at most twice the input length. */
  unitOperations: number;
}

/**
 * Removes every occurrence of the given markers from tool output, including ones that only appear
 * once an inner marker is gone (`<re<call>quest>`), so tool text never carries protocol markers or
 * the eos text into the model's context.
 *
 * One left-to-right pass in linear time: the output is a stack of code units with the matcher's
 * state after each, and when a marker completes at the top it is popped, which resumes matching
 * from the state before it. So nested markers collapse without rescanning the text, which the
 * earlier split-and-repeat loop did once per nesting level (quadratic on adversarial answers).
 * The result contains no marker: every new occurrence must end at the unit just pushed.
 */
export function stripMarkers(text: string, markers: readonly string[], stats?: StripStats): string {
  const present = markers.filter((marker) => marker.length > 0);
  if (present.length === 0 || text.length === 0) return text;
  const matcher = new MarkerMatcher(present);
  const units = new Uint16Array(text.length);
  const states = new Int32Array(text.length + 1);
  let top = 0;
  let operations = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const state = matcher.step(states[top]!, unit);
    units[top] = unit;
    top += 1;
    states[top] = state;
    const length = matcher.matchLength(state);
    top -= length;
    operations += 1 + length;
  }
  if (stats) stats.unitOperations += operations;
  return decodeUnits(units, top);
}

/** Builds a string from code units in chunks, since spreading 800 K arguments overflows the stack. */
function decodeUnits(units: Uint16Array, length: number): string {
  const CHUNK = 8192;
  let out = '';
  for (let start = 0; start < length; start += CHUNK) {
    out += String.fromCharCode(...units.subarray(start, Math.min(length, start + CHUNK)));
  }
  return out;
}

/**
 * Shortens text to at most `maxChars` characters (code points, so no emoji is split), ending with
 * `...` when something was cut, as TRL does with `max_tool_response`.
 */
export function shortenToolText(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(0, maxChars - 3)).join('')}...`;
}

/** Raw answers are kept up to this many UTF-16 units per character the model may see... */
export const RAW_ANSWER_UNITS_PER_CHAR = 8;
/** ...and at least this many, so short limits still leave room for markers to be removed. */
export const MIN_RAW_ANSWER_UNITS = 4096;

/**
 * How much of a raw tool answer is looked at for a `maxChars` limit. Stripping can only shorten
 * text, so a few times the limit is enough unless the answer is mostly markers, and it keeps the
 * cost of a multi-megabyte answer the same as that of a short one.
 */
export function rawAnswerLimit(maxChars: number): number {
  return Math.max(MIN_RAW_ANSWER_UNITS, RAW_ANSWER_UNITS_PER_CHAR * maxChars);
}

/** The first `limit` code units, one fewer when the cut would split a surrogate pair. */
function cutAtCodePoint(text: string, limit: number): string {
  const last = text.charCodeAt(limit - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit);
}

/** Drops a start of a marker left at the end by a cut (`… <cal`), which would only be noise. */
function withoutPartialMarker(text: string, markers: readonly string[]): string {
  let keep = text.length;
  for (const marker of markers) {
    for (let length = marker.length - 1; length > 0; length--) {
      if (text.endsWith(marker.slice(0, length))) {
        keep = Math.min(keep, text.length - length);
        break;
      }
    }
  }
  return text.slice(0, keep);
}

/**
 * What the model reads of a tool answer: cut to {@link rawAnswerLimit} before anything else, markers
 * stripped (and a marker start the cut left at the end), then shortened to `maxChars` characters.
 * A cut answer always ends in `...`, so the model can tell it did not see everything even when
 * stripping left it short.
 */
export function sanitizeToolAnswer(text: string, markers: readonly string[], maxChars: number): string {
  const limit = rawAnswerLimit(maxChars);
  const cut = text.length > limit;
  const stripped = stripMarkers(cut ? cutAtCodePoint(text, limit) : text, markers);
  const clean = cut ? withoutPartialMarker(stripped, markers) : stripped;
  const short = shortenToolText(clean, maxChars);
  if (!cut || short !== clean) return short;
  return shortenToolText(`${clean}...`, maxChars);
}

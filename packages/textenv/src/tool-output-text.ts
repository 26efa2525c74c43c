/**
 * Removes every occurrence of the given markers from tool output, repeating until none is left so
 * that removing one cannot join its neighbours into a new marker (`<re<call>quest>`). Tool text
 * therefore never carries protocol markers or the eos text into the model's context.
 */
export function stripMarkers(text: string, markers: readonly string[]): string {
  const present = markers.filter((marker) => marker.length > 0);
  let previous: string;
  do {
    previous = text;
    for (const marker of present) text = text.split(marker).join('');
  } while (text !== previous);
  return text;
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

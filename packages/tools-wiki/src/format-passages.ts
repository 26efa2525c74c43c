import type { Passage } from './passage';

/** How {@link formatPassages} writes passages for the model. */
export interface FormatOptions {
  /**
   * Longest paragraph text kept per passage, in characters (code points); longer text is cut.
   * TRL's TriviaQA example cut its wiki tool's paragraph to 600.
   */
  maxChars: number;
  /** Put the article title on the line above each paragraph. */
  includeTitle: boolean;
}

/**
 * Writes passages as `Title\nparagraph`, separated by blank lines — the layout of TRL's wiki tool
 * (title line, then the paragraph).
 */
export function formatPassages(passages: readonly Passage[], options: FormatOptions): string {
  return passages
    .map((passage) => {
      const text = truncate(passage.text, options.maxChars);
      return options.includeTitle ? `${passage.title}\n${text}` : text;
    })
    .join('\n\n');
}

/** Cuts `text` to at most `maxChars` code points, never splitting a surrogate pair. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return Array.from(text).slice(0, maxChars).join('');
}

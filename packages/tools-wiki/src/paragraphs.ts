/**
 * Splits an article into paragraphs at blank lines (lines holding only whitespace count as blank),
 * trimming each and dropping empty ones. Each paragraph becomes one indexed passage, as TRL's wiki
 * tool answered with a single paragraph rather than a whole article.
 */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\r?\n[^\S\r\n]*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph.length > 0);
}

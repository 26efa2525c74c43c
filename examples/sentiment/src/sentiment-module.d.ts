/**
 * The part of the `sentiment` package (AFINN-165 word scores; it ships no types) this example calls.
 */
declare module 'sentiment' {
  /** The result of scoring one text. */
  interface AnalysisResult {
    /** Sum of the AFINN scores of the words. */
    score: number;
    /** `score` divided by the number of words (NaN for a text without words). */
    comparative: number;
    /** The scored words. */
    positive: string[];
    negative: string[];
    tokens: string[];
  }

  /** An AFINN-165 analyzer. */
  export default class Sentiment {
    analyze(text: string): AnalysisResult;
  }
}

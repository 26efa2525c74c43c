import Sentiment from 'sentiment';

const analyzer = new Sentiment();

/**
 * The reward of a generated continuation: AFINN-165's comparative score (sum of word scores divided
 * by the number of words), so a longer text is not rewarded for length alone. An empty continuation
 * scores 0.
 */
export function sentimentReward(text: string): number {
  const { comparative } = analyzer.analyze(text);
  return Number.isFinite(comparative) ? comparative : 0;
}

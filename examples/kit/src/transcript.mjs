/**
 * Transcript pieces the tool examples share: how an SFT transcript becomes token ids with a loss
 * mask, which segment a TRL-style reward reads, and the numeric `Result=N<submit>` match.
 */

/**
 * @typedef {{ text: string, system: boolean }} Segment One stretch of a transcript; `system`
 *   segments (prompt, tool output) are written by the environment and never trained on.
 */

/**
 * The full transcript text (what a TextHistory of the same episode reads).
 * @param {Segment[]} segments
 * @returns {string}
 */
export function transcriptText(segments) {
  return segments.map((segment) => segment.text).join('');
}

/**
 * Token ids of a transcript and which of them are trained on. Each segment is tokenized on its own,
 * as the TextEnvironment does, so SFT sees the same token boundaries PPO will generate across.
 * @param {Segment[]} segments
 * @param {{ encode(text: string): number[] }} tokenizer
 * @returns {{ ids: number[], trainOn: boolean[] }}
 */
export function encodeTranscript(segments, tokenizer) {
  const ids = [];
  const trainOn = [];
  for (const segment of segments) {
    for (const token of tokenizer.encode(segment.text)) {
      ids.push(token);
      trainOn.push(!segment.system);
    }
  }
  return { ids, trainOn };
}

/**
 * The pad id every example uses: the tokenizer's own, else eos. Which one it is does not change a
 * loss, since padding sits after every real token (causal attention never looks at it) and its
 * labels are ignored; one rule keeps the examples from drifting apart anyway.
 * @param {{ padTokenId?: number | null, eosTokenId: number }} tokenizer
 * @returns {number}
 */
export function padTokenIdOf(tokenizer) {
  return tokenizer.padTokenId ?? tokenizer.eosTokenId;
}

/**
 * The text of the last segment the model wrote in a TextHistory (what TRL's reward reads).
 * @param {{ segments: Segment[] }} history
 * @returns {string}
 */
export function lastModelText(history) {
  const segments = history.segments;
  for (let i = segments.length - 1; i >= 0; i--) {
    const segment = segments[i];
    if (segment && !segment.system) return segment.text;
  }
  return '';
}

const RESULT_PATTERN = /Result\s*=\s*(-?\d+(?:\.\d+)?)\s*<submit>/;

/**
 * The number submitted in `text` as TRL's `Result=N<submit>` (first match), or null.
 * @param {string} text
 * @returns {number | null}
 */
export function parseSubmittedResult(text) {
  const match = RESULT_PATTERN.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * TRL's exact-match reward on the model's final segment: 1 when it submits `Result=N<submit>` with N
 * the answer (within 0.1, as TRL; the examples' answers are integers, so this is exact), else 0.
 * @param {string} text
 * @param {number} answer
 * @returns {0 | 1}
 */
export function exactMatchReward(text, answer) {
  const submitted = parseSubmittedResult(text);
  return submitted !== null && Math.abs(submitted - answer) < 0.1 ? 1 : 0;
}

/**
 * A TextEnvironment `rewardFn` scoring each history's last model segment against its answer with
 * `reward` (by default the numeric {@link exactMatchReward}).
 * @template A
 * @param {(text: string, answer: A) => number} [reward]
 * @returns {(histories: { segments: Segment[] }[], context: { answers: A[] }) => number[]}
 */
export function lastSegmentReward(reward = /** @type {any} */ (exactMatchReward)) {
  return (histories, { answers }) =>
    histories.map((history, i) => reward(lastModelText(history), /** @type {A} */ (answers[i])));
}

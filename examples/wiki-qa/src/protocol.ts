import { calledTool } from '@trl/example-kit/tool-env';
import { lastSegmentReward, type Segment, transcriptText } from '@trl/example-kit/transcript';
import { trainBpeTokenizer } from '@trl/models';
import type { TextHistory } from '@trl/textenv';
import { MiniSearchRetriever, WikiSearch } from '@trl/tools-wiki';
import { corpusPassages, type Entity, type Question } from './entities';

/** The tool's name, as in TRL's TriviaQA example (`<request><Wiki>…<call>`). */
export const TOOL_NAME = 'Wiki';

/** TRL's tool markers plus the tool name; each becomes one token so a decision is one token. */
export const PROTOCOL_TOKENS = ['<request>', '<call>', '<response>', '<submit>', `<${TOOL_NAME}>`];

/** The answer prefix of TRL's tool examples, kept whole. */
export const TEMPLATE_TOKENS = ['Result='];

/** Vocabulary size of the tokenizer: 256 bytes, 8 special tokens, the rest learned merges. */
export const VOCAB_SIZE = 600;

/**
 * Longest passage text the tool returns, in characters: the first passage, cut short (TRL's
 * TriviaQA cut at 600), so an episode stays within the small model's 64-token context. Every
 * paragraph of the generated corpus is shorter, so no answer is cut off.
 */
export const MAX_PASSAGE_CHARS = 64;

/**
 * The project's byte-level BPE (GPT-2's scheme, `trainBpeTokenizer`) learned from `corpus`, with the
 * protocol markers and `Result=` as special tokens. GPT-2's pre-tokenizer keeps a leading space on
 * words, so a name or a city has the same tokens wherever it follows a space — in the question, in
 * the tool query, in the passage and in the answer. That is why the query and the answer are written
 * with a space after the marker (`<Wiki> Zorvath`, `Result= Kelmira`): copying a word is then copying
 * its tokens.
 */
export function createWikiTokenizer(corpus: readonly string[]) {
  return trainBpeTokenizer(corpus, {
    vocabSize: VOCAB_SIZE,
    specialTokens: ['<|endoftext|>', '<|pad|>', ...PROTOCOL_TOKENS, ...TEMPLATE_TOKENS],
  });
}

/**
 * The WikiSearch tool over an in-memory BM25 index (MiniSearch, no server, no file) of `entities`:
 * the top passage without its title, cut to `MAX_PASSAGE_CHARS`.
 */
export function createWikiTool(entities: readonly Entity[]): WikiSearch {
  return new WikiSearch({
    retriever: MiniSearchRetriever.fromPassages(corpusPassages(entities)),
    name: TOOL_NAME,
    k: 1,
    maxChars: MAX_PASSAGE_CHARS,
    includeTitle: false,
  });
}

/**
 * The same tool over an empty index: every search answers `No results for "…".` Playing the held-out
 * questions with it measures what the model knows without the tool.
 */
export function createDisabledWikiTool(): WikiSearch {
  return createWikiTool([]);
}

/** What the tool answers for every question, by query (one search per distinct query). */
export async function lookUpAll(
  tool: WikiSearch,
  questions: readonly Question[],
): Promise<Map<string, string>> {
  const { signal } = new AbortController();
  const responses = new Map<string, string>();
  for (const question of questions) {
    const query = toolQuery(question);
    if (!responses.has(query)) responses.set(query, await tool.call(query, { signal }));
  }
  return responses;
}

/**
 * The query the model sends for a question: the name with its leading space (see
 * {@link createWikiTokenizer}) and the keyword of the paragraph that holds the answer
 * (` Zorvath city`), so BM25 ranks that paragraph first.
 */
export function toolQuery(question: Pick<Question, 'entity' | 'keyword'>): string {
  return ` ${question.entity.name} ${question.keyword}`;
}

/** The model's final turn for an answer. */
export function answerText(answer: string): string {
  return `Result= ${answer}<submit>`;
}

/** Searching the wiki or answering from memory. */
export type TranscriptKind = 'tool' | 'direct';

/**
 * The segments of an SFT transcript. `kind: 'tool'` searches the entity's name and the question's
 * keyword and copies the answer from the passage (`toolResponse`, what the tool returned for that query); `kind: 'direct'` answers
 * from memory with the true fact — right for entities seen in training, a guess for any other.
 * `system` segments are written by the environment and not trained on.
 */
export function transcriptSegments(
  question: Question,
  kind: TranscriptKind,
  toolResponse?: string,
): Segment[] {
  const answer: Segment = { text: answerText(question.answer), system: false };
  if (kind === 'direct') return [{ text: question.question, system: true }, answer];
  if (kind !== 'tool') throw new Error(`transcriptSegments: kind must be 'tool' or 'direct', got ${kind}.`);
  if (typeof toolResponse !== 'string')
    throw new Error(
      `transcriptSegments: a tool transcript needs the tool's response text, got ${toolResponse}.`,
    );
  return [
    { text: question.question, system: true },
    { text: `<request><${TOOL_NAME}>${toolQuery(question)}<call>`, system: false },
    { text: `${toolResponse}<response>`, system: true },
    answer,
  ];
}

/** The tokenizer's training text: a tool and a direct transcript of every question. */
export function tokenizerCorpus(
  questions: readonly Question[],
  responses: ReadonlyMap<string, string>,
): string[] {
  return questions.flatMap((question) => [
    transcriptText(transcriptSegments(question, 'tool', responses.get(toolQuery(question)))),
    transcriptText(transcriptSegments(question, 'direct')),
  ]);
}

const RESULT_PATTERN = /Result=\s*(.*?)\s*<submit>/s;

/** The answer the model submitted in `text` (first `Result=…<submit>`, trimmed), or null when none. */
export function parseSubmittedAnswer(text: string): string | null {
  const match = RESULT_PATTERN.exec(text);
  // The pattern has one group, which always takes part in a match.
  return match ? (match[1] as string) : null;
}

/**
 * Exact-match reward on one final model segment: 1 when it submits `Result=X<submit>` with X the
 * answer (ignoring case and surrounding spaces), else 0. TRL's TriviaQA reward accepted any text
 * containing the answer; an exact match cannot be gamed by listing several candidates.
 */
export function exactMatchReward(text: string, answer: string): 0 | 1 {
  const submitted = parseSubmittedAnswer(text);
  return submitted !== null && submitted.toLowerCase() === String(answer).trim().toLowerCase() ? 1 : 0;
}

/** `rewardFn` for the TextEnvironment: exact match on each history's last model segment. */
export const rewardHistories = lastSegmentReward(exactMatchReward);

/** True when the episode searched the wiki at least once. */
export function usedWiki(history: TextHistory): boolean {
  return calledTool(history, TOOL_NAME);
}

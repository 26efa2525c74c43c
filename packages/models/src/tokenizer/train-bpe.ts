import { TrlError } from '@trl/core';
import { z } from 'zod';
import { BYTE_TO_CHAR, byteLevelBpeTokenizerJson, byteVocabulary, GPT2_SPLIT_PATTERN } from './byte-level';
import { HuggingFaceTokenizer } from './huggingface-tokenizer';
import {
  parseOptions,
  resolveSmallTokenizerSpecials,
  smallTokenizerOptionsSchema,
} from './small-tokenizer-options';

/** Largest vocabulary `trainBpeTokenizer` accepts; pair keys pack two ids into one safe integer. */
const MAX_VOCAB_SIZE = 1 << 20;

const trainBpeOptionsSchema = smallTokenizerOptionsSchema.extend({
  /** Total vocabulary size: 256 byte tokens + special tokens + learned merges. */
  vocabSize: z.number().int().max(MAX_VOCAB_SIZE),
  /** A pair must occur at least this often to be merged. Default 2. */
  minFrequency: z.number().int().positive().default(2),
});

/** Options of {@link trainBpeTokenizer}. */
export type TrainBpeOptions = z.input<typeof trainBpeOptionsSchema>;

/**
 * Learns a byte-level BPE (GPT-2's scheme) from `corpus`: texts are split with GPT-2's regex (special
 * tokens are cut out first, so they never leak into merges), then the most frequent adjacent pair is
 * merged until the vocabulary reaches `vocabSize` or no pair occurs `minFrequency` times. Ties go to
 * the pair of smallest ids, so training is deterministic. Ids: bytes 0-255, then special tokens, then merges.
 */
export function trainBpeTokenizer(corpus: Iterable<string>, options: TrainBpeOptions): HuggingFaceTokenizer {
  const parsed = parseOptions(trainBpeOptionsSchema, options, 'trainBpeTokenizer');
  const specials = resolveSmallTokenizerSpecials(parsed);
  const baseSize = BYTE_TO_CHAR.length + specials.tokens.length;
  if (parsed.vocabSize < baseSize) {
    throw new TrlError(
      'invalid-value',
      `trainBpeTokenizer: vocabSize ${parsed.vocabSize} is smaller than the ${BYTE_TO_CHAR.length} byte tokens plus ` +
        `${specials.tokens.length} special tokens; use at least ${baseSize}.`,
    );
  }
  const { vocab, addedTokens } = byteVocabulary(specials.tokens);

  const words = countWords(corpus, specials.tokens);
  const merges = learnMerges(words, vocab, parsed.vocabSize, parsed.minFrequency);
  return new HuggingFaceTokenizer({
    tokenizerJson: byteLevelBpeTokenizerJson({ vocab, merges, addedTokens }),
    tokenizerConfig: {
      ...specials.roles,
      padding_side: parsed.paddingSide,
      clean_up_tokenization_spaces: false,
    },
    source: 'trainBpeTokenizer',
  });
}

/** A distinct pre-tokenized word as a sequence of symbol ids, with how often it occurs. */
interface Word {
  symbols: number[];
  count: number;
}

const utf8 = new TextEncoder();

function countWords(corpus: Iterable<string>, specialTokens: readonly string[]): Word[] {
  if (
    corpus === null ||
    typeof corpus !== 'object' ||
    !(Symbol.iterator in corpus) ||
    typeof corpus === 'string'
  ) {
    throw new TrlError(
      'invalid-argument',
      'trainBpeTokenizer: corpus must be an iterable of strings (e.g. an array of texts); wrap a single text in an array.',
    );
  }
  const counts = new Map<string, number>();
  let index = 0;
  for (const text of corpus) {
    if (typeof text !== 'string')
      throw new TrlError('invalid-argument', `trainBpeTokenizer: corpus item ${index} is not a string.`);
    for (const piece of splitOutSpecialTokens(text, specialTokens)) {
      for (const match of piece.matchAll(GPT2_SPLIT_PATTERN)) {
        counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
      }
    }
    index++;
  }
  // Sorted so the word order, and with it every tie-break, is independent of corpus order.
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => ({ symbols: [...utf8.encode(word)], count }));
}

function splitOutSpecialTokens(text: string, specialTokens: readonly string[]): string[] {
  let pieces = [text];
  for (const token of specialTokens) pieces = pieces.flatMap((piece) => piece.split(token));
  return pieces.filter((piece) => piece !== '');
}

const PAIR_BASE = MAX_VOCAB_SIZE;
const pairKey = (left: number, right: number) => left * PAIR_BASE + right;

/**
 * Classic BPE training with incremental pair counts: merging a pair only revisits the words that
 * contain it, which keeps ~1 MB corpora to seconds. Fills `vocab` and returns the merges in order.
 */
function learnMerges(
  words: Word[],
  vocab: Record<string, number>,
  vocabSize: number,
  minFrequency: number,
): string[] {
  const spelling: string[] = [...BYTE_TO_CHAR];
  const idOf = new Map<string, number>(Object.entries(vocab));
  let nextId = Math.max(...Object.values(vocab)) + 1;
  const pairCounts = new Map<number, number>();
  const wordsWithPair = new Map<number, Set<number>>();
  words.forEach((word, wordIndex) => {
    addPairs(word, wordIndex, 1, pairCounts, wordsWithPair);
  });

  const merges: string[] = [];
  while (idOf.size < vocabSize) {
    const best = mostFrequentPair(pairCounts, minFrequency);
    if (best === undefined) break;
    const left = Math.floor(best / PAIR_BASE);
    const right = best % PAIR_BASE;
    const leftSpelling = spelling[left] as string;
    const rightSpelling = spelling[right] as string;
    const merged = leftSpelling + rightSpelling;
    // Two different pairs can spell the same token; like the Rust trainer, reuse its id.
    let mergedId = idOf.get(merged);
    if (mergedId === undefined) {
      mergedId = nextId++;
      idOf.set(merged, mergedId);
      vocab[merged] = mergedId;
    }
    spelling[mergedId] = merged;
    merges.push(`${leftSpelling} ${rightSpelling}`);
    for (const wordIndex of wordsWithPair.get(best) ?? []) {
      const word = words[wordIndex] as Word;
      addPairs(word, wordIndex, -1, pairCounts, wordsWithPair);
      word.symbols = mergePair(word.symbols, left, right, mergedId);
      addPairs(word, wordIndex, 1, pairCounts, wordsWithPair);
    }
    wordsWithPair.delete(best);
    pairCounts.delete(best);
  }
  return merges;
}

function addPairs(
  word: Word,
  wordIndex: number,
  sign: 1 | -1,
  pairCounts: Map<number, number>,
  wordsWithPair: Map<number, Set<number>>,
): void {
  for (let i = 0; i + 1 < word.symbols.length; i++) {
    const key = pairKey(word.symbols[i] as number, word.symbols[i + 1] as number);
    const count = (pairCounts.get(key) ?? 0) + sign * word.count;
    if (count > 0) pairCounts.set(key, count);
    else pairCounts.delete(key);
    if (sign > 0) {
      let holders = wordsWithPair.get(key);
      if (holders === undefined) {
        holders = new Set();
        wordsWithPair.set(key, holders);
      }
      holders.add(wordIndex);
    }
  }
}

function mergePair(symbols: readonly number[], left: number, right: number, merged: number): number[] {
  const result: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      result.push(merged);
      i++;
    } else {
      result.push(symbols[i] as number);
    }
  }
  return result;
}

function mostFrequentPair(pairCounts: ReadonlyMap<number, number>, minFrequency: number): number | undefined {
  let best: number | undefined;
  let bestCount = minFrequency - 1;
  for (const [key, count] of pairCounts) {
    if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdamW, createLrSchedule, Rng, type Tokenizer, tf } from '@trl/core';
import {
  AutoSequenceClassifier,
  AutoTokenizer,
  type EncoderForSequenceClassification,
  type Gpt2ForSequenceClassification,
} from '@trl/models';
import { NEGATIVE_WORDS, POSITIVE_WORDS, REVIEWS } from './reviews';

/** How the classifier reward is made: trained here from scratch, or loaded from a folder. */
export interface ClassifierConfig {
  /**
   * A Hugging Face folder with a sequence classifier and its tokenizer (e.g. a downloaded
   * `lvwerra/distilbert-imdb`); empty = train a DistilBERT-architecture classifier in the run.
   */
  dir: string;
  /** The label whose logit is the reward (`id2label` of the classifier). */
  positiveLabel: string;
  /** Longest classifier input in tokens (longer texts are truncated). */
  maxLength: number;
  /** DistilBERT shape of the classifier trained here. */
  model: { dim: number; n_layers: number; n_heads: number; hidden_dim: number };
  /** Its training: labelled reviews of the training openings, cross-entropy, AdamW with warmup + cosine. */
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Labelled reviews of the held-out openings to measure accuracy on. */
  evalReviews: number;
}

/**
 * A review with the probability of POSITIVE its adjectives give it (the generator knows; the
 * classifier learns it): 1 or 0 when one side has more adjectives, ½ for a tie (neutral or mixed).
 */
export interface LabelledReview {
  text: string;
  target: number;
}

const POSITIVE = new Set(POSITIVE_WORDS);
const NEGATIVE = new Set(NEGATIVE_WORDS);

/**
 * The target a review's words give it: positive (1) with more positive than negative adjectives,
 * negative (0) with fewer, ½ on a tie. Training ties toward ½ teaches the classifier that a review
 * without sentiment is neither, so the policy cannot collect reward for neutral words the
 * classifier never saw.
 */
export function reviewTarget(text: string): number {
  let balance = 0;
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    if (POSITIVE.has(word)) balance++;
    if (NEGATIVE.has(word)) balance--;
  }
  return balance === 0 ? 0.5 : balance > 0 ? 1 : 0;
}

/** `count` reviews of `openings` with their targets, in the grammar's mix of sentiments. */
export function sampleLabelledReviews(
  openings: readonly string[],
  count: number,
  rng: Rng,
): LabelledReview[] {
  return REVIEWS.sampleReviews(openings, count, rng).map((text) => ({ text, target: reviewTarget(text) }));
}

/**
 * A BERT-style `vocab.txt` for the review grammar: the special tokens, every word the grammar
 * writes, and single letters (also as `##` continuations) so any lower-case word the policy invents
 * still tokenizes into pieces rather than `[UNK]`.
 */
export function reviewVocabulary(): string[] {
  const words = new Set<string>();
  for (const text of REVIEWS.sampleReviews(REVIEWS.allOpenings(), 3000, new Rng(0))) {
    for (const word of text.toLowerCase().match(/[a-z]+|[^\sa-z]/g) ?? []) words.add(word);
  }
  for (const word of [...POSITIVE_WORDS, ...NEGATIVE_WORDS]) words.add(word);
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const punctuation = '.,!?;:\'"-()'.split('');
  return [
    '[PAD]',
    '[UNK]',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    ...new Set([...punctuation, ...letters, ...letters.map((c) => `##${c}`), ...[...words].sort()]),
  ];
}

/** The classifier and the tokenizer it reads, with the id of the label whose logit is the reward. */
export interface RewardClassifier {
  model: EncoderForSequenceClassification | Gpt2ForSequenceClassification;
  tokenizer: Tokenizer;
  positiveId: number;
  maxLength: number;
}

/** Loads a Hugging Face folder as a reward classifier; names the folder and the label when they do not fit. */
export async function loadRewardClassifier(
  dir: string,
  positiveLabel: string,
  maxLength: number,
): Promise<RewardClassifier> {
  const model = await AutoSequenceClassifier.fromPretrained(dir);
  const labels = 'id2label' in model ? model.id2label : [];
  const positiveId = labels.indexOf(positiveLabel);
  if (positiveId < 0) {
    model.dispose();
    throw new Error(
      `${dir}: the classifier has no label "${positiveLabel}" (its labels: ${labels.join(', ') || 'none'}); ` +
        'set reward.classifier.positiveLabel to the label that means positive.',
    );
  }
  const tokenizer = await AutoTokenizer.fromPretrained(dir);
  return { model, tokenizer, positiveId, maxLength };
}

/** Logits `[texts, labels]` of the classifier, in batches of 64, padding on the right. */
export function classifierLogits(classifier: RewardClassifier, texts: readonly string[]): number[][] {
  const rows: number[][] = [];
  for (let start = 0; start < texts.length; start += 64) {
    const batch = classifier.tokenizer.encodeBatch(texts.slice(start, start + 64), {
      maxLength: classifier.maxLength,
      paddingSide: 'right',
    });
    const logits = tf.tidy(() =>
      classifier.model
        .forward({
          inputIds: tf.tensor2d(batch.inputIds, undefined, 'int32'),
          attentionMask: tf.tensor2d(batch.attentionMask, undefined, 'int32'),
        })
        .logits.arraySync(),
    );
    rows.push(...logits);
  }
  return rows;
}

/** Share of the clearly positive or negative `reviews` the classifier labels right (ties are left out). */
export function classifierAccuracy(classifier: RewardClassifier, reviews: readonly LabelledReview[]): number {
  const clear = reviews.filter((r) => r.target !== 0.5);
  const logits = classifierLogits(
    classifier,
    clear.map((r) => r.text),
  );
  const right = logits.filter(
    (row, i) => isPositive(row, classifier.positiveId) === (clear[i]!.target === 1),
  );
  return right.length / clear.length;
}

/** Whether the positive label has the largest logit. */
export function isPositive(logits: readonly number[], positiveId: number): boolean {
  return logits.every((x, i) => i === positiveId || x < logits[positiveId]!);
}

/**
 * The log-odds of the positive label, log p / (1 − p): its logit minus the log-sum-exp of the
 * others (for two labels, the difference of the logits). Unlike the raw logit TRL's notebook uses,
 * it does not move when every logit shifts together, so ½-probability texts score 0.
 */
export function positiveLogOdds(logits: readonly number[], positiveId: number): number {
  const others = logits.filter((_, i) => i !== positiveId);
  const top = Math.max(...others);
  return logits[positiveId]! - (top + Math.log(others.reduce((sum, x) => sum + Math.exp(x - top), 0)));
}

/** What {@link trainRewardClassifier} measured. */
export interface ClassifierTraining {
  /** Held-out accuracy before and after training. */
  accuracyBefore: number;
  accuracyAfter: number;
  /** Cross-entropy of the first and last training batch. */
  firstLoss: number;
  finalLoss: number;
}

/**
 * Trains a two-label DistilBERT-architecture classifier (NEGATIVE, POSITIVE) from scratch on
 * labelled reviews of `train`, measures it on reviews of `test`, and saves it with its WordPiece
 * `vocab.txt` to `dir` in Hugging Face layout, from where {@link loadRewardClassifier} reads it back
 * (as it would any downloaded classifier).
 */
export async function trainRewardClassifier({
  config,
  train,
  test,
  dir,
  seed,
  log,
}: {
  config: ClassifierConfig;
  train: readonly string[];
  test: readonly string[];
  dir: string;
  seed: number;
  log: (line: string) => void;
}): Promise<ClassifierTraining> {
  const vocabulary = reviewVocabulary();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'vocab.txt'), `${vocabulary.join('\n')}\n`);
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    `${JSON.stringify(
      {
        tokenizer_class: 'DistilBertTokenizer',
        do_lower_case: true,
        model_max_length: config.maxLength,
        pad_token: '[PAD]',
        unk_token: '[UNK]',
        cls_token: '[CLS]',
        sep_token: '[SEP]',
        mask_token: '[MASK]',
      },
      null,
      2,
    )}\n`,
  );
  const tokenizer = await AutoTokenizer.fromPretrained(dir);
  const model = AutoSequenceClassifier.fromConfig(
    {
      model_type: 'distilbert',
      vocab_size: vocabulary.length,
      max_position_embeddings: config.maxLength,
      pad_token_id: 0,
      ...config.model,
      id2label: { 0: 'NEGATIVE', 1: config.positiveLabel },
      label2id: { NEGATIVE: 0, [config.positiveLabel]: 1 },
    },
    { seed },
  );
  const classifier: RewardClassifier = { model, tokenizer, positiveId: 1, maxLength: config.maxLength };
  const rng = new Rng(seed + 1);
  const heldOut = sampleLabelledReviews(test, config.evalReviews, rng);
  const accuracyBefore = classifierAccuracy(classifier, heldOut);
  const params = model.trainableVariables();
  const optimizer = new AdamW(params, { learningRate: config.learningRate, weightDecay: 0.01 });
  const schedule = createLrSchedule({
    kind: 'cosine',
    baseLr: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
  });
  const losses: number[] = [];
  for (let step = 1; step <= config.steps; step++) {
    optimizer.setLearningRate(schedule(step - 1));
    const reviews = sampleLabelledReviews(train, config.batchSize, rng);
    const batch = tokenizer.encodeBatch(
      reviews.map((r) => r.text),
      { maxLength: config.maxLength, paddingSide: 'right' },
    );
    const inputIds = tf.tensor2d(batch.inputIds, undefined, 'int32');
    const attentionMask = tf.tensor2d(batch.attentionMask, undefined, 'int32');
    const targets = tf.tensor2d(reviews.map((r) => [1 - r.target, r.target]));
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(
          targets,
          model.forward({ inputIds, attentionMask, training: true }).logits,
        ),
      params.map((p) => p.variable),
    );
    optimizer.step(grads);
    losses.push(value.dataSync()[0]!);
    tf.dispose([value, ...Object.values(grads), inputIds, attentionMask, targets]);
    if (step % Math.max(1, Math.floor(config.steps / 4)) === 0 || step === config.steps)
      log(`  classifier step ${step} loss ${losses.at(-1)!.toFixed(4)}`);
  }
  optimizer.dispose();
  const accuracyAfter = classifierAccuracy(classifier, heldOut);
  await model.savePretrained(dir);
  model.dispose();
  return {
    accuracyBefore,
    accuracyAfter,
    firstLoss: losses[0] ?? Number.NaN,
    finalLoss: losses.at(-1) ?? Number.NaN,
  };
}

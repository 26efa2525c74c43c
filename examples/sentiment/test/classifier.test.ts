import { join } from 'node:path';
import { initBackend, Rng } from '@trl/core';
import { onTestBackend, useTempDir } from '@trl/example-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifierAccuracy,
  classifierLogits,
  loadRewardClassifier,
  positiveLogOdds,
  reviewTarget,
  reviewVocabulary,
  sampleLabelledReviews,
  trainRewardClassifier,
} from '../src/classifier';
import { FULL_CONFIG } from '../src/config';
import { REVIEWS } from '../src/reviews';

const dir = useTempDir('sentiment-classifier-');
beforeAll(() => initBackend(onTestBackend({ backend: 'wasm' }).backend));

describe('review labels', () => {
  it('targets by the balance of positive and negative adjectives, ties at one half', () => {
    expect(reviewTarget('the plot was great.')).toBe(1);
    expect(reviewTarget('the plot was dull and long.')).toBe(0);
    expect(reviewTarget('the plot was great, but the cast was awful.')).toBe(0.5);
    expect(reviewTarget('the plot was long.')).toBe(0.5);
  });

  it('scores by the log-odds of the positive label', () => {
    expect(positiveLogOdds([0.5, 2.5], 1)).toBeCloseTo(2, 12);
    expect(positiveLogOdds([7, 7], 0)).toBe(0);
    const p = Math.exp(1) / (Math.exp(1) + Math.exp(0) + Math.exp(-1));
    expect(positiveLogOdds([1, 0, -1], 0)).toBeCloseTo(Math.log(p / (1 - p)), 12);
  });

  it('samples reviews of the given openings with every target', () => {
    const { train } = REVIEWS.splitOpenings(10, 0);
    const reviews = sampleLabelledReviews(train, 300, new Rng(1));
    expect(reviews).toHaveLength(300);
    expect(reviews.every((r) => train.some((o) => r.text.startsWith(o)))).toBe(true);
    expect(reviews.every((r) => reviewTarget(r.text) === r.target)).toBe(true);
    for (const target of [0, 0.5, 1]) {
      expect(reviews.filter((r) => r.target === target).length, String(target)).toBeGreaterThan(60);
    }
  });

  it('has a WordPiece vocabulary with the BERT specials first and every grammar word', () => {
    const vocabulary = reviewVocabulary();
    expect(vocabulary.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(new Set(vocabulary).size).toBe(vocabulary.length);
    for (const word of ['brilliant', 'awful', 'ending', 'honestly', '##q', 'z'])
      expect(vocabulary).toContain(word);
  });
});

describe('the sentiment classifier', () => {
  it('trains, saves in HF layout, and loads back with the same held-out accuracy', async () => {
    const { train, test } = REVIEWS.splitOpenings(10, 0);
    const config = { ...FULL_CONFIG.reward.classifier, steps: 100, batchSize: 16, evalReviews: 64 };
    const out = join(dir, 'trained');
    const measured = await trainRewardClassifier({ config, train, test, dir: out, seed: 3, log: () => {} });
    expect(measured.finalLoss).toBeLessThan(measured.firstLoss);
    expect(measured.accuracyBefore).toBeLessThan(0.75);
    expect(measured.accuracyAfter).toBeGreaterThan(0.9);
    const loaded = await loadRewardClassifier(out, 'POSITIVE', config.maxLength);
    expect(loaded.positiveId).toBe(1);
    const heldOut = sampleLabelledReviews(test, config.evalReviews, new Rng(3 + 1));
    expect(classifierAccuracy(loaded, heldOut)).toBeCloseTo(measured.accuracyAfter, 10);
    // Ties were trained toward one half: the classifier is less sure about them.
    const sureness = (reviews: typeof heldOut) =>
      classifierLogits(
        loaded,
        reviews.map((r) => r.text),
      ).reduce((sum, row) => sum + Math.abs(positiveLogOdds(row, 1)), 0) / reviews.length;
    const ties = heldOut.filter((r) => r.target === 0.5);
    expect(sureness(ties)).toBeLessThan(sureness(heldOut.filter((r) => r.target !== 0.5)));
    loaded.model.dispose();

    await expect(loadRewardClassifier(out, 'LABEL_1', 48)).rejects.toThrow(
      /no label "LABEL_1" \(its labels: NEGATIVE, POSITIVE\).*positiveLabel/,
    );
  });

  it('defaults to the classifier reward, trained in the run', () => {
    expect(FULL_CONFIG.reward.kind).toBe('classifier');
    expect(FULL_CONFIG.reward.classifier.dir).toBe('');
  });
});

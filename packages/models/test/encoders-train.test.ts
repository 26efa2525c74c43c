import { AdamW, initBackend, tf } from '@trl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import { TINY_ENCODER_DIRS, TINY_WORDPIECE_DIR } from '../../test-kit/src/fixtures';
import { scratchDirs } from '../../test-kit/src/scratch';
import { AutoSequenceClassifier } from '../src/auto/auto-model-for-sequence-classification';
import { EncoderForSequenceClassification } from '../src/encoders/classifier';
import { AutoTokenizer } from '../src/tokenizer/auto-tokenizer';

/** Reviews with the label names of the tiny BERT fixture (negative, neutral, positive). */
const REVIEWS: [string, string, string][] = [
  ['the movie was good', 'i love it', 'positive'],
  ['this film is great', 'very fun', 'positive'],
  ['the movie was bad', 'i hate it', 'negative'],
  ['this film is not good', 'bad plot', 'negative'],
  ['a movie', 'it was a film', 'neutral'],
  ['the plot', 'of the film', 'neutral'],
];

describe('a BERT classifier fed by the WordPiece tokenizer', () => {
  beforeAll(() => initBackend(testBackend()));

  it('learns labelled review pairs with AdamW from WordPiece ids, token types and a padding mask', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR);
    const model = await AutoSequenceClassifier.fromPretrained(TINY_ENCODER_DIRS.bert, { seed: 5 });
    if (!(model instanceof EncoderForSequenceClassification)) throw new Error('expected an encoder');
    const encoded = REVIEWS.map(([a, b]) => tokenizer.encodeWithTokenTypes(a, { textPair: b }));
    const width = Math.max(...encoded.map((e) => e.ids.length));
    const pad = (row: number[], value: number) => [...row, ...Array(width - row.length).fill(value)];
    const inputIds = tf.tensor2d(
      encoded.map((e) => pad(e.ids, tokenizer.padTokenId!)),
      undefined,
      'int32',
    );
    const tokenTypeIds = tf.tensor2d(
      encoded.map((e) => pad(e.tokenTypeIds, 0)),
      undefined,
      'int32',
    );
    const attentionMask = tf.tensor2d(
      encoded.map((e) =>
        pad(
          e.ids.map(() => 1),
          0,
        ),
      ),
      undefined,
      'int32',
    );
    expect(attentionMask.sum().dataSync()[0]).toBeLessThan(REVIEWS.length * width); // some rows are padded
    const labels = REVIEWS.map(([, , label]) => model.label2id[label]!);
    const targets = tf.oneHot(tf.tensor1d(labels, 'int32'), model.numLabels);
    const params = model.trainableVariables();
    const optimizer = new AdamW(params, { learningRate: 3e-3 });
    const losses: number[] = [];
    for (let step = 0; step < 25; step++) {
      const { value, grads } = tf.variableGrads(
        () => {
          const { logits } = model.forward({ inputIds, tokenTypeIds, attentionMask, training: true });
          return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
        },
        params.map((p) => p.variable),
      );
      optimizer.step(grads);
      losses.push(value.dataSync()[0]!);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
    const predicted = tf.tidy(() =>
      tf.argMax(model.forward({ inputIds, tokenTypeIds, attentionMask }).logits, 1).arraySync(),
    );
    expect(predicted).toEqual(labels);
    tf.dispose([inputIds, tokenTypeIds, attentionMask, targets]);
    optimizer.dispose();
    model.dispose();
  });

  it('scores a right-padded encodeBatch of texts as each text alone', async () => {
    const tokenizer = await AutoTokenizer.fromPretrained(TINY_WORDPIECE_DIR);
    const model = await AutoSequenceClassifier.fromPretrained(TINY_ENCODER_DIRS.bert);
    if (!(model instanceof EncoderForSequenceClassification)) throw new Error('expected an encoder');
    const texts = ['the movie was not good at all', 'fun', 'I love this film!'];
    const batch = tokenizer.encodeBatch(texts);
    const width = batch.inputIds[0]!.length;
    const fun = [2, ...tokenizer.encode('fun', { addSpecialTokens: false }), 3];
    expect(batch.inputIds[1]).toEqual([...fun, ...Array(width - fun.length).fill(tokenizer.padTokenId)]);
    expect(batch.attentionMask[1]).toEqual([...fun.map(() => 1), ...Array(width - fun.length).fill(0)]);
    const score = (rows: number[][], mask?: number[][]) =>
      tf.tidy(() =>
        model
          .forward({
            inputIds: tf.tensor2d(rows, undefined, 'int32'),
            attentionMask: mask && tf.tensor2d(mask, undefined, 'int32'),
          })
          .logits.arraySync(),
      );
    const batched = score(batch.inputIds, batch.attentionMask);
    texts.forEach((text, i) => {
      const [alone] = score([tokenizer.encode(text)]);
      expect(Math.max(...alone!.map((x, j) => Math.abs(x - batched[i]![j]!)))).toBeLessThan(1e-5);
    });
    model.dispose();
  });
});

describe('AutoSequenceClassifier.fromConfig', () => {
  const config = {
    model_type: 'distilbert',
    vocab_size: 50,
    dim: 36,
    n_layers: 2,
    n_heads: 3,
    hidden_dim: 48,
    max_position_embeddings: 16,
    pad_token_id: 0,
    initializer_range: 0.05,
    id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' },
    label2id: { NEGATIVE: 0, POSITIVE: 1 },
  };
  const scratch = scratchDirs('trl-encoder-create-');

  it('initialises as transformers does (N(0, initializer_range), zero pad row, unit norms) and saves a loadable folder', async () => {
    const model = AutoSequenceClassifier.fromConfig(config, { seed: 3 });
    expect(model.id2label).toEqual(['NEGATIVE', 'POSITIVE']);
    const words = model.weights.get('distilbert.embeddings.word_embeddings.weight')!;
    const table = words.arraySync() as number[][];
    expect(table[0]!.every((x) => x === 0)).toBe(true);
    const rest = table.slice(1).flat();
    const std = Math.sqrt(rest.reduce((a, b) => a + b * b, 0) / rest.length);
    expect(std).toBeGreaterThan(0.045);
    expect(std).toBeLessThan(0.055);
    const norm = model.weights.get('distilbert.embeddings.LayerNorm.weight')!;
    expect(Array.from(norm.dataSync()).every((x) => x === 1)).toBe(true);

    const dir = scratch();
    await model.savePretrained(dir);
    const loaded = await AutoSequenceClassifier.fromPretrained(dir);
    const input = {
      inputIds: tf.tensor2d([[2, 7, 9, 0]], undefined, 'int32'),
      attentionMask: tf.tensor2d([[1, 1, 1, 0]], undefined, 'int32'),
    };
    const logits = (m: typeof loaded) => tf.tidy(() => Array.from(m.forward(input).logits.dataSync()));
    expect(logits(loaded)).toEqual(logits(model));
    expect(
      AutoSequenceClassifier.fromConfig(config, { seed: 3 }).weights.get('pre_classifier.weight')!.dataSync(),
    ).toEqual(model.weights.get('pre_classifier.weight')!.dataSync());
    tf.dispose([input.inputIds, input.attentionMask]);
    model.dispose();
    loaded.dispose();
  });

  it('names model_type when it has no encoder', () => {
    expect(() => AutoSequenceClassifier.fromConfig({ ...config, model_type: 't5' })).toThrow(
      /model_type.*bert, distilbert, roberta/,
    );
  });
});

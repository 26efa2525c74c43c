import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, TrlConfigError, TrlError, tf } from '@trl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test-kit/src/backend';
import {
  maxAbsDiff,
  TINY_ENCODER_DIRS,
  TINY_GPT2_DIR,
  tinyEncoderExpected,
} from '../../test-kit/src/fixtures';
import { AutoSequenceClassifier } from '../src/auto/auto-model-for-sequence-classification';
import { writePretrainedFiles } from '../src/checkpoint/save';
import { EncoderForSequenceClassification } from '../src/encoders/classifier';
import { Gpt2ForSequenceClassification } from '../src/heads/sequence-classification';

const ARCHITECTURES = [
  { name: 'bert', numLabels: 3, id2label: ['negative', 'neutral', 'positive'] },
  { name: 'distilbert', numLabels: 2, id2label: ['NEGATIVE', 'POSITIVE'] },
  { name: 'roberta', numLabels: 2, id2label: ['LABEL_0', 'LABEL_1'] },
] as const;

const ints = (rows: number[][]) => tf.tensor2d(rows, undefined, 'int32');

async function loadEncoder(dir: string, options = {}): Promise<EncoderForSequenceClassification> {
  const model = await AutoSequenceClassifier.fromPretrained(dir, options);
  if (!(model instanceof EncoderForSequenceClassification)) throw new Error(`${dir} did not load an encoder`);
  return model;
}

/** The logits of one forward pass as nested arrays, the tensors freed. */
function logitsOf(
  model: EncoderForSequenceClassification,
  rows: Record<string, number[][] | undefined>,
): number[][] {
  const inputs = Object.fromEntries(
    Object.entries(rows)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, ints(value!)]),
  );
  const { logits } = model.forward(inputs as never);
  const values = logits.arraySync();
  tf.dispose([logits, ...Object.values(inputs)]);
  return values;
}

/** Largest difference between the weight `key` of two models. */
function weightDiff(
  a: EncoderForSequenceClassification,
  b: EncoderForSequenceClassification,
  key: string,
): number {
  return maxAbsDiff(a.weights.get(key)!.dataSync(), b.weights.get(key)!.dataSync());
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'trl-encoders-'));
}

describe.each(ARCHITECTURES)('tiny $name matches transformers', ({ name, numLabels, id2label }) => {
  const expected = tinyEncoderExpected(name);
  let model: EncoderForSequenceClassification;
  beforeAll(async () => {
    await initBackend(testBackend());
    model = await loadEncoder(TINY_ENCODER_DIRS[name]);
  });
  afterAll(() => model.dispose());

  it('reads the labels and architecture facts from config.json', () => {
    expect(model.info.modelType).toBe(name);
    expect(model.info.hiddenSize).toBe(36);
    // RoBERTa's 34 position rows minus padding_idx + 1 (positions count on from the pad id).
    expect(model.info.maxPositions).toBe({ bert: 40, distilbert: 32, roberta: 32 }[name]);
    expect(model.numLabels).toBe(numLabels);
    expect(model.id2label).toEqual(id2label);
    expect(model.label2id).toEqual(Object.fromEntries(id2label.map((label, id) => [label, id])));
  });

  it('gives the reference logits within 1e-4, padded rows included', () => {
    const got = logitsOf(model, {
      inputIds: expected.input_ids,
      attentionMask: expected.attention_mask,
      tokenTypeIds: expected.token_type_ids,
    });
    expect([got.length, got[0]!.length]).toEqual([expected.input_ids.length, numLabels]);
    const diff = maxAbsDiff(got.flat(), expected.logits.flat());
    console.log(`${name}: max |Δlogits| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
  });

  it('gives the reference logits without an attention mask (every token real)', () => {
    const got = logitsOf(model, { inputIds: expected.input_ids });
    expect(maxAbsDiff(got.flat(), expected.logits_without_attention_mask.flat())).toBeLessThan(1e-4);
  });

  it('keeps tf.memory().numTensors stable over repeated forwards', () => {
    const inputIds = ints(expected.input_ids);
    const attentionMask = ints(expected.attention_mask);
    const run = () => tf.dispose(model.forward({ inputIds, attentionMask }).logits);
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputIds, attentionMask]);
  });

  it('trains: every weight gets a gradient and a training pass with dropout leaks nothing', () => {
    const inputIds = ints(expected.input_ids);
    const attentionMask = ints(expected.attention_mask);
    const variables = model.trainableVariables();
    expect(variables.length).toBe(model.weights.size);
    expect(
      variables.filter((v) => !v.decay).every((v) => /bias$|(LayerNorm|layer_norm)\.weight$/.test(v.name)),
    ).toBe(true);
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(model.forward({ inputIds, attentionMask, training: true }).logits) as tf.Scalar,
        variables.map((v) => v.variable),
      );
      const missing = variables.filter((v) => grads[v.variable.name] === undefined).map((v) => v.name);
      tf.dispose([value, ...Object.values(grads)]);
      return missing;
    };
    expect(step()).toEqual([]);
    const before = tf.memory().numTensors;
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputIds, attentionMask]);
  });

  it('saves in Hugging Face layout and loads back to the same logits', async () => {
    const dir = scratch();
    await model.savePretrained(dir);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.model_type).toBe(name);
    expect(config.architectures).toEqual([model.architecture.className]);
    expect(Object.values(config.id2label)).toEqual(id2label);
    const loaded = await loadEncoder(dir);
    const rows = { inputIds: expected.input_ids, attentionMask: expected.attention_mask };
    expect(maxAbsDiff(logitsOf(loaded, rows).flat(), logitsOf(model, rows).flat())).toBe(0);
    loaded.dispose();
  });
});

describe('BERT token types', () => {
  beforeAll(() => initBackend(testBackend()));

  it('default to 0, as transformers', async () => {
    const expected = tinyEncoderExpected('bert');
    const model = await loadEncoder(TINY_ENCODER_DIRS.bert);
    const got = logitsOf(model, { inputIds: expected.input_ids, attentionMask: expected.attention_mask });
    expect(maxAbsDiff(got.flat(), expected.logits_without_token_type_ids!.flat())).toBeLessThan(1e-4);
    // And they matter: the pair-style segments give different logits.
    expect(maxAbsDiff(got.flat(), expected.logits.flat())).toBeGreaterThan(1e-3);
    model.dispose();
  });
});

describe('AutoSequenceClassifier dispatch and config errors', () => {
  beforeAll(() => initBackend(testBackend()));

  /** A copy of a fixture whose config.json is edited by `edit`. */
  async function withConfig(
    source: string,
    edit: (config: Record<string, unknown>) => void,
  ): Promise<string> {
    const dir = scratch();
    await cp(source, dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    edit(config);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  }

  it('keeps GPT-2 on its existing path', async () => {
    const model = await AutoSequenceClassifier.fromPretrained(TINY_GPT2_DIR, { numLabels: 2 });
    expect(model).toBeInstanceOf(Gpt2ForSequenceClassification);
    expect(model.numLabels).toBe(2);
    model.dispose();
  });

  it('refuses a model_type without a classifier, naming it and the supported ones', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.bert, (config) => {
      config['model_type'] = 'electra';
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrlError);
    expect((error as TrlError).code).toBe('unsupported-model-type');
    expect((error as Error).message).toMatch(/model_type "electra".*bert, distilbert, roberta/);
  });

  it('refuses a config without model_type', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.roberta, (config) => {
      delete config['model_type'];
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrlConfigError);
    expect((error as TrlConfigError).field).toBe('model_type');
  });

  it('refuses num_labels that contradicts id2label, naming num_labels', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.bert, (config) => {
      config['num_labels'] = 5;
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrlConfigError);
    expect((error as TrlConfigError).field).toBe('num_labels');
    expect((error as Error).message).toMatch(/num_labels: is 5 but id2label names 3 labels/);
  });

  it('refuses label2id that is not the inverse of id2label, naming label2id', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.distilbert, (config) => {
      config['label2id'] = { NEGATIVE: 1, POSITIVE: 0 };
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect((error as TrlConfigError).field).toBe('label2id');
  });

  it('refuses id2label with a gap, naming id2label', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.roberta, (config) => {
      config['id2label'] = { 0: 'a', 2: 'b' };
      delete config['label2id'];
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect((error as TrlConfigError).field).toBe('id2label');
  });

  it('takes 2 labels without id2label, as transformers, and then refuses a 3-label head, naming it', async () => {
    // transformers leaves the default two labels out of config.json, as in the RoBERTa fixture.
    expect(
      JSON.parse(readFileSync(join(TINY_ENCODER_DIRS.roberta, 'config.json'), 'utf8')).id2label,
    ).toBeUndefined();
    const dir = await withConfig(TINY_ENCODER_DIRS.bert, (config) => {
      delete config['id2label'];
      delete config['label2id'];
    });
    await expect(AutoSequenceClassifier.fromPretrained(dir)).rejects.toThrow(
      /classifier\.weight has shape \[3, 36\] but a head with 2 labels needs \[2, 36\]/,
    );
  });

  it('refuses numLabels that does not fit the saved head, naming the key and shapes', async () => {
    await expect(
      AutoSequenceClassifier.fromPretrained(TINY_ENCODER_DIRS.distilbert, { numLabels: 4 }),
    ).rejects.toThrow(/classifier\.weight has shape \[2, 36\] but a head with 4 labels needs \[4, 36\]/);
  });

  it('refuses heads that do not divide the hidden size and unknown activations, listing both fields', async () => {
    const dir = await withConfig(TINY_ENCODER_DIRS.bert, (config) => {
      config['num_attention_heads'] = 5;
      config['hidden_act'] = 'swish';
    });
    const error = await AutoSequenceClassifier.fromPretrained(dir).catch((e: unknown) => e);
    expect((error as TrlConfigError).issues.map((issue) => issue.field)).toEqual([
      'num_attention_heads',
      'hidden_act',
    ]);
  });

  it('puts a fresh head on a bare encoder checkpoint when numLabels is given', async () => {
    const source = await loadEncoder(TINY_ENCODER_DIRS.roberta);
    const dir = scratch();
    const bare = new Map([...source.weights].filter(([key]) => key.startsWith('roberta.')));
    const config = source.config.raw;
    // A bare RobertaModel names its keys without the `roberta.` prefix.
    await writePretrainedFiles(
      dir,
      config,
      new Map([...bare].map(([key, variable]) => [key.slice('roberta.'.length), variable])),
    );
    const model = await loadEncoder(dir, { numLabels: 1, seed: 3 });
    expect(model.numLabels).toBe(1);
    expect(model.weights.get('classifier.out_proj.weight')!.shape).toEqual([1, 36]);
    expect(maxAbsDiff(model.weights.get('classifier.out_proj.bias')!.dataSync(), [0])).toBe(0);
    expect(weightDiff(model, source, 'roberta.embeddings.word_embeddings.weight')).toBe(0);
    source.dispose();
    model.dispose();
  });

  it('refuses inputs longer than the position embeddings', async () => {
    const model = await loadEncoder(TINY_ENCODER_DIRS.roberta);
    expect(() => logitsOf(model, { inputIds: [Array(33).fill(5)] })).toThrow(
      /33 tokens do not fit .* 32 positions/,
    );
    expect(logitsOf(model, { inputIds: [Array(32).fill(5)] })[0]).toHaveLength(2);
    model.dispose();
  });

  it('starts a mismatched head afresh with ignoreMismatchedSizes, keeping the rest (a 2-label model as a reward model)', async () => {
    const saved = await loadEncoder(TINY_ENCODER_DIRS.distilbert);
    const model = await loadEncoder(TINY_ENCODER_DIRS.distilbert, {
      numLabels: 1,
      ignoreMismatchedSizes: true,
    });
    expect(model.numLabels).toBe(1);
    expect(model.id2label).toEqual(['LABEL_0']);
    expect(model.weights.get('classifier.weight')!.shape).toEqual([1, 36]);
    expect(maxAbsDiff(model.weights.get('classifier.bias')!.dataSync(), [0])).toBe(0);
    expect(weightDiff(model, saved, 'pre_classifier.weight')).toBe(0);
    saved.dispose();
    model.dispose();
    await expect(
      AutoSequenceClassifier.fromPretrained(TINY_GPT2_DIR, { numLabels: 1, ignoreMismatchedSizes: true }),
    ).rejects.toThrow(/encoders only, not GPT-2/);
  });

  it('starts a missing BERT pooler fresh (BertForMaskedLM checkpoints have none)', async () => {
    const source = await loadEncoder(TINY_ENCODER_DIRS.bert);
    const dir = scratch();
    const withoutPooler = new Map([...source.weights].filter(([key]) => !key.startsWith('bert.pooler.')));
    await writePretrainedFiles(dir, source.config.raw, withoutPooler);
    const model = await loadEncoder(dir, { seed: 1 });
    expect(model.weights.get('bert.pooler.dense.weight')!.shape).toEqual([36, 36]);
    expect(maxAbsDiff(model.weights.get('bert.pooler.dense.bias')!.dataSync(), new Float32Array(36))).toBe(0);
    expect(weightDiff(model, source, 'classifier.weight')).toBe(0);
    source.dispose();
    model.dispose();
  });

  it('refuses token type ids for DistilBERT', async () => {
    const model = await loadEncoder(TINY_ENCODER_DIRS.distilbert);
    expect(() => logitsOf(model, { inputIds: [[2, 3]], tokenTypeIds: [[0, 0]] })).toThrow(
      /no token type embeddings/,
    );
    model.dispose();
  });
});

import { type ConfigIssue, TrlConfigError } from '@trl/core';

/** Feed-forward activations the encoders implement, by their transformers names. */
export const ENCODER_ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'] as const;

/** A feed-forward activation of {@link ENCODER_ACTIVATIONS}. */
export type EncoderActivation = (typeof ENCODER_ACTIVATIONS)[number];

/**
 * What every encoder needs from its `config.json`, under one set of names whatever the
 * architecture spells them (`hidden_size` or `dim`, `layer_norm_eps` or DistilBERT's fixed 1e-12).
 */
export interface EncoderConfig {
  /** `bert`, `distilbert` or `roberta`. */
  readonly modelType: string;
  /** Rows of the word embedding. */
  readonly vocabSize: number;
  /** Width of the hidden states. */
  readonly hiddenSize: number;
  /** Number of encoder layers. */
  readonly numLayers: number;
  /** Attention heads per layer; divides `hiddenSize`. */
  readonly numHeads: number;
  /** Inner width of the feed-forward block. */
  readonly intermediateSize: number;
  /** Rows of the position embedding. */
  readonly maxPositions: number;
  /** Rows of the token type embedding (0: the architecture has none). */
  readonly typeVocabSize: number;
  /** Epsilon of every LayerNorm. */
  readonly layerNormEps: number;
  /** Feed-forward activation. */
  readonly activation: EncoderActivation;
  /** Padding id (RoBERTa's position ids count from it). */
  readonly padTokenId: number | undefined;
  /** Dropout on embeddings and residual branches (training only). */
  readonly hiddenDropout: number;
  /** Dropout on attention probabilities (training only). */
  readonly attentionDropout: number;
  /** Dropout inside the classification head (training only). */
  readonly classifierDropout: number;
  /** Standard deviation of a freshly initialised head. */
  readonly initializerRange: number;
  /** Label names by id, when the config has `id2label`. */
  readonly id2label: readonly string[] | undefined;
  /** `num_labels` when the config states it (hand-written configs; transformers derives it from id2label). */
  readonly numLabels: number | undefined;
  /** The config as read, written back by `savePretrained` (unknown keys kept). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * Reads fields of a raw config, collecting every problem so one error lists them all. Missing
 * fields take transformers' defaults.
 */
export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  constructor(readonly raw: Readonly<Record<string, unknown>>) {}

  /** A positive integer field (or non-negative with `allowZero`). */
  integer(key: string, fallback: number, allowZero = false): number {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      this.fail(key, `must be an integer ≥ ${allowZero ? 0 : 1}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  /** A number in [min, max]; `exclusiveMin` makes the lower bound exclusive. */
  number(key: string, fallback: number, min: number, max: number, exclusiveMin = false): number {
    const value = this.raw[key] ?? fallback;
    const inRange = typeof value === 'number' && (exclusiveMin ? value > min : value >= min) && value <= max;
    if (!inRange || !Number.isFinite(value)) {
      this.fail(
        key,
        `must be a number in ${exclusiveMin ? '(' : '['}${min}, ${max}], got ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return value as number;
  }

  /** An optional token id (null or absent gives undefined). */
  optionalId(key: string, fallback: number | undefined): number | undefined {
    const value = key in this.raw ? this.raw[key] : fallback;
    if (value === null || value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.fail(key, `must be a token id (an integer ≥ 0) or null, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  /** The feed-forward activation under `key`. */
  activation(key: string, fallback: EncoderActivation): EncoderActivation {
    const value = this.raw[key] ?? fallback;
    if (typeof value !== 'string' || !(ENCODER_ACTIVATIONS as readonly string[]).includes(value)) {
      this.fail(
        key,
        `${JSON.stringify(value)} is not supported; use one of ${ENCODER_ACTIVATIONS.join(', ')}`,
      );
      return fallback;
    }
    return value as EncoderActivation;
  }

  /** Checks that `heads` divides `width`. */
  divides(headsKey: string, heads: number, widthKey: string, width: number): void {
    if (width % heads !== 0) this.fail(headsKey, `${heads} heads do not divide ${widthKey} ${width}`);
  }

  /** Label names from `id2label` (keys "0".."n-1"), checked against `label2id` and `num_labels`. */
  labels(): { id2label: string[] | undefined; numLabels: number | undefined } {
    const numLabels = 'num_labels' in this.raw ? this.integer('num_labels', 1) : undefined;
    const id2label = this.id2label();
    if (id2label !== undefined && numLabels !== undefined && numLabels !== id2label.length) {
      this.fail(
        'num_labels',
        `is ${numLabels} but id2label names ${id2label.length} labels; make them agree`,
      );
    }
    if (id2label !== undefined) this.checkLabel2id(id2label);
    return { id2label, numLabels };
  }

  /** Throws one {@link TrlConfigError} listing every problem, if there were any. */
  finish(source: string): void {
    if (this.issues.length > 0) throw new TrlConfigError(source, this.issues, 'config');
  }

  fail(field: string, message: string): void {
    this.issues.push({ code: 'invalid-value', field, message });
  }

  private id2label(): string[] | undefined {
    const value = this.raw['id2label'];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail('id2label', `must be an object {"0": name, ...}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    const labels: string[] = [];
    for (let id = 0; id < entries.length; id++) {
      const name = (value as Record<string, unknown>)[String(id)];
      if (typeof name !== 'string') {
        this.fail(
          'id2label',
          `must map each id 0..${entries.length - 1} to a label name; id ${id} is missing`,
        );
        return undefined;
      }
      labels.push(name);
    }
    if (entries.length === 0) {
      this.fail('id2label', 'names no labels');
      return undefined;
    }
    return labels;
  }

  private checkLabel2id(id2label: readonly string[]): void {
    const value = this.raw['label2id'];
    if (value === undefined || value === null) return;
    const map =
      typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    const agrees =
      map !== undefined &&
      Object.keys(map).length === id2label.length &&
      id2label.every((name, id) => map[name] === id);
    if (!agrees) {
      this.fail(
        'label2id',
        `must be the inverse of id2label ${JSON.stringify(Object.fromEntries(id2label.entries()))}`,
      );
    }
  }
}

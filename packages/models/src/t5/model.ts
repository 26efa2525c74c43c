import {
  type GenerationOptions,
  type GenerationResult,
  type NamedVariable,
  Rng,
  type Seq2SeqLM,
  type Seq2SeqLMInfo,
  type Seq2SeqLMInput,
  type Seq2SeqLMOutput,
  SPECIFICATION_VERSION,
  TrlError,
  tf,
} from '@trl/core';
import { writePretrainedFiles } from '../checkpoint/save';
import { chooseNextTokens, validatePrompts } from '../generation/generate';
import { resolveGenerationOptions } from '../generation/options';
import type { T5Config } from './config';
import type { T5Context } from './layers';
import { crossKeyValues, type KeyValues, keyMaskBias, runDecoder, runEncoder } from './stacks';
import { LM_HEAD_KEY } from './weights';

/**
 * transformers' `T5ForConditionalGeneration` (T5, T5 v1.1, FLAN-T5) on TensorFlow.js: relative
 * position buckets, RMS layer norms, relu or gated feed-forwards, a tied or separate LM head.
 * Weights are tfjs variables named by their checkpoint keys, in torch layout. Load one with
 * `AutoModelForSeq2SeqLM.fromPretrained`, or build a random one with `AutoModelForSeq2SeqLM.fromConfig`.
 */
export class T5ForConditionalGeneration implements Seq2SeqLM {
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** Architecture facts. */
  readonly info: Seq2SeqLMInfo;
  /** The validated config. */
  readonly config: T5Config;
  /** Every weight by checkpoint key; `lm_head.weight` only when the head is not tied. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  private readonly dropoutRng: Rng;
  private disposed = false;

  /** Takes ownership of `weights`. `seed` drives dropout of training passes without a `dropoutRng`. */
  constructor(config: T5Config, weights: ReadonlyMap<string, tf.Variable>, seed = 0) {
    this.config = config;
    this.weights = weights;
    this.dropoutRng = new Rng(seed);
    this.info = {
      modelType: 't5',
      vocabSize: config.vocabSize,
      // Relative positions set no length limit.
      maxPositions: Number.MAX_SAFE_INTEGER,
      hiddenSize: config.dModel,
      decoderStartTokenId: config.decoderStartTokenId,
      padTokenId: config.padTokenId,
      ...(config.eosTokenId === undefined ? {} : { eosTokenId: config.eosTokenId }),
    };
  }

  /** Whether the LM head is the shared embedding (no `lm_head.weight` of its own). */
  get tiedHead(): boolean {
    return !this.weights.has(LM_HEAD_KEY);
  }

  /** Teacher-forced logits `[batch, tgtLen, vocab]` (and the decoder's last hidden state when asked). */
  forward(input: Seq2SeqLMInput): Seq2SeqLMOutput {
    this.assertAlive();
    this.checkInput(input);
    return tf.tidy(() => {
      const context = this.context(input.training ?? false, input.dropoutRng);
      const mask = input.attentionMask ?? tf.onesLike(input.inputIds);
      const encoded = runEncoder(context, input.inputIds, mask);
      const { hidden } = runDecoder(context, {
        ids: input.decoderInputIds,
        start: 0,
        cross: crossKeyValues(context, encoded),
        crossBias: keyMaskBias(mask),
        ...(input.decoderAttentionMask ? { mask: input.decoderAttentionMask } : {}),
      });
      const logits = this.head(hidden);
      return input.outputHiddenStates ? { logits, decoderHiddenStates: hidden } : { logits };
    });
  }

  /**
   * Batched generation: the ragged prompts are right-padded and encoded once, each decoder layer's
   * cross-attention keys and values are computed once, and the decoder runs one token per step
   * from the decoder start token with a self-attention cache. A finished row leaves the batch.
   * Tokens are chosen on the CPU with one seeded generator per row, as the decoder-only models do.
   */
  async generate(
    prompts: readonly (readonly number[])[],
    options: GenerationOptions,
  ): Promise<GenerationResult[]> {
    this.assertAlive();
    const { vocabSize } = this.config;
    validatePrompts(prompts, vocabSize, this.info.maxPositions);
    const settings = resolveGenerationOptions(options, prompts.length, {
      vocabSize,
      eosTokenId: this.config.eosTokenId,
    });
    const seeds = new Rng(settings.seed);
    let rows = prompts.map((_, index) => ({
      index,
      budget: settings.maxNewTokens,
      rng: seeds.fork(),
      result: { tokenIds: [], logprobs: [], finishReason: 'length' } as GenerationResult,
    }));
    const results = rows.map((row) => row.result);
    if (settings.maxNewTokens === 0) return results;

    const context = this.context(false, undefined);
    const width = Math.max(...prompts.map((p) => p.length));
    const pad = this.config.padTokenId;
    let state = tf.tidy(() => {
      const ids = tf.tensor2d(
        prompts.map((p) => [...p, ...new Array<number>(width - p.length).fill(pad)]),
        [prompts.length, width],
        'int32',
      );
      const mask = tf.tensor2d(
        prompts.map((p) => [
          ...new Array<number>(p.length).fill(1),
          ...new Array<number>(width - p.length).fill(0),
        ]),
        [prompts.length, width],
        'int32',
      );
      const encoded = runEncoder(context, ids, mask);
      return {
        cross: crossKeyValues(context, encoded),
        crossBias: keyMaskBias(mask),
        past: [] as KeyValues[],
      };
    });
    let tokens = prompts.map(() => this.config.decoderStartTokenId);
    try {
      for (let step = 0; rows.length > 0; step++) {
        const current = state;
        const next = tf.tidy(() => {
          const { hidden, present } = runDecoder(context, {
            ids: tf.tensor2d(tokens, [tokens.length, 1], 'int32'),
            start: step,
            past: step === 0 ? undefined : current.past,
            cross: current.cross,
            crossBias: current.crossBias,
          });
          return { logits: this.head(hidden), present };
        });
        tf.dispose(current.past);
        state = { ...current, past: next.present };
        const logits = (await next.logits.data()) as Float32Array;
        next.logits.dispose();
        const stillGoing = chooseNextTokens(rows, logits, vocabSize, step, settings);
        if (stillGoing.length === 0) break;
        if (stillGoing.length < rows.length) state = keepRows(state, stillGoing);
        rows = stillGoing.map((i) => rows[i]!);
        tokens = rows.map((row) => row.result.tokenIds[row.result.tokenIds.length - 1]!);
      }
    } finally {
      tf.dispose([state.past, state.cross, state.crossBias]);
    }
    return results;
  }

  /** Every weight; layer-norm gains get no weight decay (transformers' Trainer convention). */
  trainableVariables(): NamedVariable[] {
    return [...this.weights].map(([name, variable]) => ({
      name,
      variable,
      decay: !name.endsWith('layer_norm.weight'),
    }));
  }

  /** Writes config.json and model.safetensors in transformers' layout. */
  savePretrained(dir: string): Promise<void> {
    return this.saveWithHead(dir, new Map());
  }

  /** Writes the model with `extra` tensors (a value head) in the same safetensors file, as TRL does. */
  async saveWithHead(dir: string, extra: ReadonlyMap<string, tf.Tensor>): Promise<void> {
    this.assertAlive();
    const config = {
      ...this.config.raw,
      architectures: ['T5ForConditionalGeneration'],
      model_type: 't5',
      tie_word_embeddings: this.tiedHead,
    };
    await writePretrainedFiles(dir, config, new Map<string, tf.Tensor>([...this.weights, ...extra]));
  }

  /** Frees every weight. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.weights.values()) variable.dispose();
  }

  /** Logits of decoder hidden states, rescaled by d_model^-0.5 first when the config says so. */
  private head(hidden: tf.Tensor3D): tf.Tensor3D {
    const [batch, seq, width] = hidden.shape;
    const weight = (this.weights.get(LM_HEAD_KEY) ?? this.weights.get('shared.weight')) as tf.Tensor2D;
    let flat: tf.Tensor2D = tf.reshape(hidden, [batch * seq, width]);
    if (this.config.scaleDecoderOutputs) flat = tf.mul(flat, width ** -0.5);
    return tf.reshape(tf.matMul(flat, weight, false, true), [batch, seq, this.config.vocabSize]);
  }

  private context(training: boolean, rng: Seq2SeqLMInput['dropoutRng']): T5Context {
    return {
      weights: this.weights,
      config: this.config,
      rng: training ? (rng ?? this.dropoutRng) : undefined,
    };
  }

  private checkInput(input: Seq2SeqLMInput): void {
    const check = (name: string, tensor: tf.Tensor | undefined, like?: tf.Tensor) => {
      if (tensor === undefined) return;
      if (!(tensor instanceof tf.Tensor) || tensor.rank !== 2 || tensor.dtype !== 'int32') {
        throw new TrlError('invalid-argument', `forward: ${name} must be an int32 tensor [batch, len].`);
      }
      if (like && (tensor.shape[0] !== like.shape[0] || tensor.shape[1] !== like.shape[1])) {
        throw new TrlError(
          'invalid-argument',
          `forward: ${name} must have shape [${like.shape.join(', ')}], got [${tensor.shape.join(', ')}].`,
        );
      }
    };
    if (input?.inputIds === undefined || input.decoderInputIds === undefined) {
      throw new TrlError('invalid-argument', 'forward: T5 needs inputIds (encoder) and decoderInputIds.');
    }
    check('inputIds', input.inputIds);
    check('decoderInputIds', input.decoderInputIds);
    check('attentionMask', input.attentionMask, input.inputIds);
    check('decoderAttentionMask', input.decoderAttentionMask, input.decoderInputIds);
    if (input.inputIds.shape[0] !== input.decoderInputIds.shape[0]) {
      throw new TrlError(
        'invalid-argument',
        `forward: inputIds has ${input.inputIds.shape[0]} rows but decoderInputIds ${input.decoderInputIds.shape[0]}.`,
      );
    }
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('This T5ForConditionalGeneration was disposed; load a new one.');
  }
}

/** The generation state restricted to the rows `keep` (finished rows leave the batch). */
function keepRows(
  state: { cross: KeyValues[]; crossBias: tf.Tensor4D; past: KeyValues[] },
  keep: number[],
): { cross: KeyValues[]; crossBias: tf.Tensor4D; past: KeyValues[] } {
  const next = tf.tidy(() => {
    const index = tf.tensor1d(keep, 'int32');
    const pick = (kv: KeyValues): KeyValues => ({ k: tf.gather(kv.k, index), v: tf.gather(kv.v, index) });
    return {
      cross: state.cross.map(pick),
      crossBias: tf.gather(state.crossBias, index) as tf.Tensor4D,
      past: state.past.map(pick),
    };
  });
  tf.dispose([state.cross, state.crossBias, state.past]);
  return next;
}

import {
  type CausalLMInfo,
  causalAttention,
  embedding,
  geluNew,
  layerNorm,
  Rng,
  type SeedSource,
  tf,
} from '@trl/core';
import { writePretrainedFiles } from '../checkpoint/save';
import { DecoderLanguageModel, type DecoderParts } from '../decoder-model';
import type { Decoding } from '../generation/decoding';
import { createFastDecoding } from '../generation/fast-decoding';
import { saveLoraAdapter } from '../lora/peft-files';
import type { LayerCache, TransformerInput, TransformerOutput } from '../transformer-io';
import { type Gpt2Config, type Gpt2ConfigInput, parseGpt2Config } from './config';
import { gpt2InputLimits, type InputLimits } from './input';
import {
  type BlockWeights,
  type Gpt2Weights,
  initGpt2Weights,
  type LayerNormWeights,
  type LinearWeights,
  linearModules,
  namedWeights,
} from './weights';

export type { LayerCache, TransformerInput, TransformerOutput } from '../transformer-io';

/** Options for a freshly initialised model. */
export interface Gpt2CreateOptions {
  /** Seed for the weight init and for dropout masks. Default 0. */
  seed?: number;
}

/** How a model is assembled from existing weights (loading, reference models, adapters). */
export type Gpt2Parts = DecoderParts<Gpt2Config, Gpt2Weights>;

/**
 * GPT-2 with its language-modeling head (transformers' `GPT2LMHeadModel`), written to be read top to
 * bottom: embeddings, pre-norm blocks of causal self-attention and a GELU MLP, a final norm and the
 * LM head. Weights are tfjs variables named by their Hugging Face checkpoint keys.
 */
export class Gpt2LMHeadModel extends DecoderLanguageModel<Gpt2Config, Gpt2Weights> {
  /** Architecture facts. */
  readonly info: CausalLMInfo;
  protected readonly displayName = 'GPT-2';

  /** Assembles a model from existing weights (see {@link Gpt2LMHeadModel.create} for a new one). */
  constructor(parts: Gpt2Parts) {
    super(parts, (weights) => namedWeights(weights).map((w) => w.variable));
    this.info = {
      modelType: 'gpt2',
      vocabSize: this.config.vocab_size,
      maxPositions: this.config.n_positions,
      hiddenSize: this.config.n_embd,
      ...optionalId('eosTokenId', this.config.eos_token_id, this.config.vocab_size),
      ...optionalId('bosTokenId', this.config.bos_token_id, this.config.vocab_size),
    };
  }

  /** A randomly initialised GPT-2 (GPT-2's init, seeded). */
  static create(config: Gpt2ConfigInput | Gpt2Config, options: Gpt2CreateOptions = {}): Gpt2LMHeadModel {
    const parsed = parseGpt2Config(config);
    const rng = new Rng(options.seed ?? 0);
    const weights = initGpt2Weights(parsed, rng);
    return new Gpt2LMHeadModel({ config: parsed, weights, seed: rng.nextSeed() });
  }

  /**
   * The transformer body (`GPT2Model`): token + position embeddings, the blocks, the final norm.
   * With `past`, the inputs continue the cached sequence (KV-cache decoding).
   */
  transformer(input: TransformerInput): TransformerOutput {
    const { weights, config } = this;
    const rng = this.trainingRng(input);
    const drop = (x: tf.Tensor3D, rate: number) => this.dropout(x, rate, rng);
    const norm = (x: tf.Tensor3D, ln: LayerNormWeights) =>
      layerNorm(x, ln.weight, ln.bias, config.layer_norm_epsilon) as tf.Tensor3D;

    let tokens = embedding(input.inputIds, weights.wte) as tf.Tensor3D;
    if (input.training && input.embeddingNoise) tokens = input.embeddingNoise(tokens);
    const positions = embedding(input.positionIds, weights.wpe) as tf.Tensor3D;
    let h = drop(tf.add(tokens, positions), config.embd_pdrop);
    const present: LayerCache[] = [];
    weights.blocks.forEach((block, layer) => {
      const attn = this.attention(block, norm(h, block.ln1), { ...input, past: input.past?.[layer] });
      if (input.useCache) present.push(attn.cache);
      h = tf.add(h, drop(attn.output, config.resid_pdrop));
      h = tf.add(h, drop(this.mlp(block, norm(h, block.ln2), input), config.resid_pdrop));
    });
    const hidden = norm(h, weights.lnF);
    return input.useCache ? { hidden, present } : { hidden };
  }

  /** Multi-head causal self-attention, extending and returning the layer's KV cache. */
  private attention(
    block: BlockWeights,
    x: tf.Tensor3D,
    input: Omit<TransformerInput, 'past'> & { past: LayerCache | undefined },
  ): { output: tf.Tensor3D; cache: LayerCache } {
    const [batch, seq, width] = x.shape;
    const heads = this.config.n_head;
    const headDim = width / heads;
    const splitHeads = (t: tf.Tensor) =>
      tf.transpose(tf.reshape(t, [batch, seq, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
    // Split while 2-D: wasm slices a matrix's columns much faster than the last axis of a 3-D tensor.
    const rng = this.trainingRng(input);
    const qkv = this.dense(block.cAttn, x, rng);
    const [q, k, v] = tf.split(tf.reshape(qkv, [batch * seq, 3 * width]), 3, 1);
    let key = splitHeads(k!);
    let value = splitHeads(v!);
    if (input.past) {
      key = tf.concat([input.past.key, key], 2);
      value = tf.concat([input.past.value, value], 2);
    }
    const attnDropout = input.training ? this.config.attn_pdrop : 0;
    const attended = causalAttention(splitHeads(q!), key, value, {
      attentionMask: input.attentionMask,
      dropout: attnDropout,
      seed: attnDropout > 0 ? rng?.nextSeed() : undefined,
    });
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, seq, width]) as tf.Tensor3D;
    return { output: this.dense(block.attnProj, merged, rng), cache: { key, value } };
  }

  /** The position-wise MLP: up projection, GPT-2's tanh GELU, down projection. */
  private mlp(block: BlockWeights, x: tf.Tensor3D, input: TransformerInput): tf.Tensor3D {
    const rng = this.trainingRng(input);
    const inner = geluNew(this.dense(block.fc, x, rng)) as tf.Tensor3D;
    return this.dense(block.mlpProj, inner, rng);
  }

  /** The LM head: the separate `lm_head.weight`, or the token embedding when tied. */
  protected lmHead(): tf.Tensor2D {
    return this.weights.lmHead ?? this.weights.wte;
  }

  /** transformers' Trainer convention: biases and layer-norm weights get no weight decay. */
  protected isDecayed(key: string): boolean {
    return !(key.endsWith('.bias') || /\.ln_(\d|f)\.weight$/.test(key));
  }

  /** Inverted dropout with a seed from `rng` (no-op outside training, where `rng` is undefined). */
  private dropout<T extends tf.Tensor>(x: T, rate: number, rng: SeedSource | undefined): T {
    if (!rng || rate === 0) return x;
    return tf.dropout(x, rate, undefined, rng.nextSeed()) as T;
  }

  /** GPT-2's projections (`c_attn`, `c_proj`, `c_fc`), the modules LoRA can adapt. */
  loraTargets(): LinearWeights[] {
    return linearModules(this.weights);
  }

  /** None: the LoRA config's own default (GPT-2's projections) applies. */
  readonly defaultLoraTargets = undefined;

  /** The name LoRA errors use. */
  readonly loraModelName = 'GPT-2';

  /** The registered fast decoder for this model's shape, if any (see `createFastDecoding`). */
  fastDecoding(
    prompts: readonly (readonly number[])[],
    padTokenId: number,
    budgets: readonly { readonly budget: number }[],
  ): Decoding | undefined {
    return createFastDecoding(this, prompts, padTokenId, budgets);
  }

  /** Every weight with its checkpoint key, frozen ones included (adapters excluded). */
  namedWeights(): { key: string; variable: tf.Variable }[] {
    return namedWeights(this.weights);
  }

  /**
   * Writes `config.json` and `model.safetensors` in transformers' layout, each file atomically. With
   * LoRA, the base weights stay unmerged and PEFT's `adapter_config.json` and
   * `adapter_model.safetensors` are written beside them.
   */
  async savePretrained(dir: string): Promise<void> {
    this.assertAlive();
    await writePretrainedFiles(dir, this.checkpointConfig(), this.checkpointTensors());
    if (this.adapters) await saveLoraAdapter(this.adapters, dir, this.nameOrPath);
  }

  /**
   * `savePretrained` with head tensors added after the model's (value or reward heads) and
   * `config` keys overridden; `dropLmHead` leaves `lm_head.weight` out.
   */
  async saveWithHead(
    dir: string,
    head: ReadonlyMap<string, tf.Tensor>,
    options: { config?: Record<string, unknown>; dropLmHead?: boolean } = {},
  ): Promise<void> {
    const tensors = this.checkpointTensors();
    if (options.dropLmHead) tensors.delete('lm_head.weight');
    for (const [key, tensor] of head) tensors.set(key, tensor);
    await writePretrainedFiles(dir, { ...this.checkpointConfig(), ...options.config }, tensors);
    if (this.adapters) await saveLoraAdapter(this.adapters, dir, this.nameOrPath);
  }

  /** Input limits: `vocab_size` and `n_positions`. */
  get inputLimits(): InputLimits {
    return gpt2InputLimits(this.config);
  }

  /** The config's pad id, if any. */
  get padTokenId(): number | undefined {
    return this.config.pad_token_id ?? undefined;
  }

  /** The config's `initializer_range`. */
  get initializerRange(): number {
    return this.config.initializer_range;
  }

  /** transformers' class-name prefix (`GPT2ForSequenceClassification`). */
  readonly architecturePrefix = 'GPT2';

  /** The config as written to `config.json`. */
  checkpointConfig(): Record<string, unknown> {
    return { ...this.config, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' };
  }

  /**
   * The tensors of `model.safetensors`, keyed as GPT2LMHeadModel writes them: the `transformer.`
   * layout plus `lm_head.weight` (a copy of the embedding when tied, as in the reference checkpoints).
   */
  checkpointTensors(): Map<string, tf.Tensor> {
    const tensors = new Map<string, tf.Tensor>(namedWeights(this.weights).map((w) => [w.key, w.variable]));
    if (!this.weights.lmHead) tensors.set('lm_head.weight', this.weights.wte);
    return tensors;
  }
}

/**
 * A special id from the config, left out when unset or outside the vocabulary (a small model built
 * with GPT-2's default ids of 50256 has no such token).
 */
function optionalId<K extends string>(
  key: K,
  id: number | null | undefined,
  vocabSize: number,
): { [P in K]?: number } {
  return id != null && id < vocabSize ? ({ [key]: id } as { [P in K]?: number }) : {};
}

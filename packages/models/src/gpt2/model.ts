import {
  type CausalLM,
  type CausalLMInfo,
  type CausalLMInput,
  type CausalLMOutput,
  causalAttention,
  embedding,
  type GenerationOptions,
  type GenerationResult,
  geluNew,
  layerNorm,
  linear,
  matmulTransposedB,
  type NamedVariable,
  Rng,
  type SeedSource,
  SPECIFICATION_VERSION,
  tf,
} from '@trl/core';
import { writePretrainedFiles } from '../checkpoint/save';
import type { Decoding } from '../generation/decoding';
import { createFastDecoding } from '../generation/fast-decoding';
import { generate } from '../generation/generate';
import type { LoraAdapters } from '../lora/adapters';
import { saveLoraAdapter } from '../lora/peft-files';
import type { LayerCache, TransformerInput, TransformerOutput } from '../transformer-io';
import { type Gpt2Config, type Gpt2ConfigInput, parseGpt2Config } from './config';
import { gpt2InputLimits, type InputLimits, prepareInput } from './input';
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
export interface Gpt2Parts {
  /** The validated config. */
  readonly config: Gpt2Config;
  /** The weights; the model takes ownership of those listed in `owned`. */
  readonly weights: Gpt2Weights;
  /** Variables this model disposes; shared ones (owned by another model) are left out. Default: all. */
  readonly owned?: ReadonlySet<tf.Variable>;
  /** Variables that are not trained (shared with or frozen for a reference model). */
  readonly frozen?: ReadonlySet<tf.Variable>;
  /** LoRA adapters on the linear layers, if any. */
  readonly adapters?: LoraAdapters;
  /** Seed for dropout masks. */
  readonly seed?: number;
  /** Directory or hub repo the weights came from. */
  readonly nameOrPath?: string;
}

/**
 * GPT-2 with its language-modeling head (transformers' `GPT2LMHeadModel`), written to be read top to
 * bottom: embeddings, pre-norm blocks of causal self-attention and a GELU MLP, a final norm and the
 * LM head. Weights are tfjs variables named by their Hugging Face checkpoint keys.
 */
export class Gpt2LMHeadModel implements CausalLM {
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** Architecture facts. */
  readonly info: CausalLMInfo;
  /** The validated config. */
  readonly config: Gpt2Config;
  /** The weights. */
  readonly weights: Gpt2Weights;
  /** Directory or hub repo the weights came from; saved as PEFT's `base_model_name_or_path`. */
  nameOrPath: string | undefined;
  /** LoRA adapters, when the model has them (set by `addLora`/`loadLoraAdapter`, cleared by `mergeAndUnload`). */
  adapters: LoraAdapters | undefined;
  private readonly owned: ReadonlySet<tf.Variable>;
  private readonly frozen: Set<tf.Variable>;
  private readonly dropoutRng: Rng;
  private disposed = false;

  /** Assembles a model from existing weights (see {@link Gpt2LMHeadModel.create} for a new one). */
  constructor(parts: Gpt2Parts) {
    this.config = parts.config;
    this.weights = parts.weights;
    this.adapters = parts.adapters;
    this.nameOrPath = parts.nameOrPath;
    this.owned = parts.owned ?? new Set(namedWeights(parts.weights).map((w) => w.variable));
    this.frozen = new Set(parts.frozen ?? []);
    for (const v of this.frozen) v.trainable = false;
    this.dropoutRng = new Rng(parts.seed ?? 0);
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

  /** Logits for every position; optionally the last hidden state too. */
  forward(input: CausalLMInput): CausalLMOutput {
    this.assertAlive();
    return tf.tidy(() => {
      const prepared = prepareInput(input, gpt2InputLimits(this.config));
      const { hidden } = this.transformer({
        ...prepared,
        training: input.training ?? false,
        embeddingNoise: input.embeddingNoise,
        dropoutRng: input.dropoutRng,
      });
      const [batch, seq, width] = hidden.shape;
      const flat = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D;
      const head = this.weights.lmHead ?? this.weights.wte;
      const logits = tf.reshape(matmulTransposedB(flat, head), [batch, seq, -1]) as tf.Tensor3D;
      return input.outputHiddenStates ? { logits, hiddenStates: hidden } : { logits };
    });
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

  /** The generator for this pass's dropout masks, or undefined outside training. */
  private trainingRng(input: Pick<TransformerInput, 'training' | 'dropoutRng'>): SeedSource | undefined {
    return input.training ? (input.dropoutRng ?? this.dropoutRng) : undefined;
  }

  /** `x @ weight + bias` on the last axis, plus the LoRA update when the module has an adapter. */
  private dense(layer: LinearWeights, x: tf.Tensor3D, rng: SeedSource | undefined): tf.Tensor3D {
    const [batch, seq, width] = x.shape;
    const flat = tf.reshape(x, [batch * seq, width]) as tf.Tensor2D;
    let y = linear(flat, layer.weight, layer.bias) as tf.Tensor2D;
    const adapter = this.adapters?.forModule(layer.name);
    if (adapter) y = tf.add(y, adapter.delta(flat, rng));
    return tf.reshape(y, [batch, seq, -1]) as tf.Tensor3D;
  }

  /**
   * The LM-head weight as `[d, vocab]`: the embedding transposed once, explicitly, so the projection
   * is a plain 2-D matmul (fast on wasm, and its gradient too). Callers that project many times
   * (generation) build it once and reuse it.
   */
  lmHeadWeightT(): tf.Tensor2D {
    return tf.transpose(this.weights.lmHead ?? this.weights.wte) as tf.Tensor2D;
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

  /** Batched generation with a KV cache; see {@link GenerationOptions}. */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]> {
    this.assertAlive();
    return generate(this, prompts, options);
  }

  /** Every weight with its checkpoint key, frozen ones included (adapters excluded). */
  namedWeights(): { key: string; variable: tf.Variable }[] {
    return namedWeights(this.weights);
  }

  /** The variables an optimizer updates: adapters only when the model has LoRA, else all unfrozen weights. */
  trainableVariables(): NamedVariable[] {
    if (this.adapters) return this.adapters.trainableVariables();
    return namedWeights(this.weights)
      .filter((w) => !this.frozen.has(w.variable))
      .map((w) => ({ name: w.key, variable: w.variable, decay: isDecayed(w.key) }));
  }

  /**
   * Stops training `variables` (a reference model shares them). They stay in the checkpoint but
   * leave `trainableVariables()`.
   */
  freeze(variables: Iterable<tf.Variable>): void {
    for (const v of variables) {
      this.frozen.add(v);
      v.trainable = false;
    }
  }

  /** Whether `variable` is frozen in this model. */
  isFrozen(variable: tf.Variable): boolean {
    return this.frozen.has(variable);
  }

  /** Whether this model owns (and so disposes) `variable`. */
  owns(variable: tf.Variable): boolean {
    return this.owned.has(variable);
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

  /** Frees the variables this model owns (shared ones stay with their owner). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.owned) v.dispose();
    this.adapters?.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('This GPT-2 model was disposed; load or create a new one.');
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

/** transformers' Trainer convention: biases and layer-norm weights get no weight decay. */
function isDecayed(key: string): boolean {
  return !(key.endsWith('.bias') || /\.ln_(\d|f)\.weight$/.test(key));
}

import { type CausalLMInfo, causalAttention, embedding, Rng, tf } from '@trl/core';
import { writePretrainedFiles } from '../checkpoint/save';
import { DecoderLanguageModel, type DecoderParts } from '../decoder-model';
import type { Decoding } from '../generation/decoding';
import { createRotaryFastDecoding } from '../generation/fast-decoding';
import type { InputLimits } from '../gpt2/input';
import { saveLoraAdapter } from '../lora/peft-files';
import type { LayerCache, TransformerInput, TransformerOutput } from '../transformer-io';
import { type LlamaConfig, type LlamaFamilyType, parseLlamaConfig } from './config';
import { initLlamaWeights, type LlamaCreateOptions } from './init';
import { applyRotary, inverseFrequencies, type RotaryTables, rotaryTables } from './rope';
import {
  type LlamaLayerWeights,
  type LlamaLinear,
  type LlamaWeights,
  llamaLinearModules,
  llamaNamedWeights,
} from './weights';

/** transformers' class-name prefix per `model_type` (`LlamaForCausalLM`, `Qwen2ForSequenceClassification`). */
const ARCHITECTURE_PREFIXES: Record<LlamaFamilyType, string> = {
  llama: 'Llama',
  mistral: 'Mistral',
  qwen2: 'Qwen2',
  qwen3: 'Qwen3',
};

/** How a model is assembled from existing weights. */
export type LlamaParts = DecoderParts<LlamaConfig, LlamaWeights>;

/**
 * A decoder of Llama's design with its LM head (transformers' `LlamaForCausalLM`,
 * `MistralForCausalLM`, `Qwen2ForCausalLM`, `Qwen3ForCausalLM`): token embedding, pre-norm layers of
 * RMSNorm, grouped-query attention with rotary positions and a SwiGLU MLP, a final RMSNorm and the
 * head. The config decides the variations (biases, q/k norm, head width, tied head, RoPE scaling).
 */
export class LlamaForCausalLM extends DecoderLanguageModel<LlamaConfig, LlamaWeights> {
  /** Architecture facts. */
  readonly info: CausalLMInfo;
  /** Vocabulary and context limits for validating inputs. */
  readonly inputLimits: InputLimits;
  /** Every eos id in the vocabulary that the config lists; `generate` stops at any of them. */
  readonly eosTokenIds: readonly number[];
  private readonly frequencies: Float32Array;

  /** Assembles a model from existing weights (see `AutoModelForCausalLM.fromPretrained` to load one). */
  constructor(parts: LlamaParts) {
    super(parts, (weights) => llamaNamedWeights(weights).map((w) => w.variable));
    this.frequencies = inverseFrequencies(this.config.rope, this.config.headDim);
    const { config } = this;
    this.inputLimits = {
      vocabSize: config.vocabSize,
      maxPositions: config.maxPositions,
      maxPositionsKey: 'max_position_embeddings',
    };
    this.eosTokenIds = config.eosTokenIds.filter((id) => id < config.vocabSize);
    this.info = {
      modelType: config.modelType,
      vocabSize: config.vocabSize,
      maxPositions: config.maxPositions,
      hiddenSize: config.hiddenSize,
      ...(config.eosTokenId !== undefined && config.eosTokenId < config.vocabSize
        ? { eosTokenId: config.eosTokenId }
        : {}),
      ...(config.bosTokenId !== undefined && config.bosTokenId < config.vocabSize
        ? { bosTokenId: config.bosTokenId }
        : {}),
    };
  }

  /**
   * A randomly initialised model of `config` (a `config.json` object or a parsed config), as
   * transformers' `from_config` builds one; seeded.
   */
  static create(
    config: LlamaConfig | Readonly<Record<string, unknown>>,
    options: LlamaCreateOptions = {},
  ): LlamaForCausalLM {
    const parsed = isParsedConfig(config) ? config : parseLlamaConfig(config);
    const rng = new Rng(options.seed ?? 0);
    const weights = initLlamaWeights(parsed, rng);
    return new LlamaForCausalLM({ config: parsed, weights, seed: rng.nextSeed() });
  }

  /**
   * The decoder body (`LlamaModel`): embeddings, the layers, the final norm. With `past`, the
   * inputs continue the cached sequence (KV-cache decoding). Call inside `tf.tidy`.
   */
  transformer(input: TransformerInput): TransformerOutput {
    let h = embedding(input.inputIds, this.weights.embedTokens) as tf.Tensor3D;
    if (input.training && input.embeddingNoise) h = input.embeddingNoise(h);
    const tables = rotaryTables(input.positionIds, this.frequencies);
    const present: LayerCache[] = [];
    this.weights.layers.forEach((layer, i) => {
      const attn = this.attention(layer, this.rmsNorm(h, layer.inputNorm), tables, input, input.past?.[i]);
      if (input.useCache) present.push(attn.cache);
      h = tf.add(h, attn.output);
      h = tf.add(h, this.mlp(layer, this.rmsNorm(h, layer.postAttentionNorm), input));
    });
    const hidden = this.rmsNorm(h, this.weights.norm);
    return input.useCache ? { hidden, present } : { hidden };
  }

  /**
   * Grouped-query causal self-attention. The cache keeps the `kv_heads` keys and values (after
   * RoPE); each group of `heads / kv_heads` query heads reads one of them.
   */
  private attention(
    layer: LlamaLayerWeights,
    x: tf.Tensor3D,
    tables: RotaryTables,
    input: TransformerInput,
    past: LayerCache | undefined,
  ): { output: tf.Tensor3D; cache: LayerCache } {
    const { heads, kvHeads, headDim, attentionDropout } = this.config;
    const [batch, seq] = x.shape;
    const rng = this.trainingRng(input);
    const project = (proj: LlamaLinear, count: number, norm: tf.Variable | undefined) => {
      let t = tf.reshape(this.dense(proj, x, rng), [batch, seq, count, headDim]) as tf.Tensor4D;
      if (norm) t = this.rmsNorm(t, norm);
      return tf.transpose(t, [0, 2, 1, 3]) as tf.Tensor4D;
    };
    const query = applyRotary(project(layer.q, heads, layer.qNorm), tables);
    let key = applyRotary(project(layer.k, kvHeads, layer.kNorm), tables);
    let value = project(layer.v, kvHeads, undefined);
    if (past) {
      key = tf.concat([past.key, key], 2);
      value = tf.concat([past.value, value], 2);
    }
    const dropout = input.training ? attentionDropout : 0;
    const attended = causalAttention(query, this.repeatKv(key), this.repeatKv(value), {
      attentionMask: input.attentionMask,
      dropout,
      seed: dropout > 0 ? rng?.nextSeed() : undefined,
    });
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [
      batch,
      seq,
      heads * headDim,
    ]) as tf.Tensor3D;
    return { output: this.dense(layer.o, merged, rng), cache: { key, value } };
  }

  /** `[batch, kv_heads, seq, d]` → `[batch, heads, seq, d]`, each kv head repeated for its query group. */
  private repeatKv(t: tf.Tensor4D): tf.Tensor4D {
    const groups = this.config.heads / this.config.kvHeads;
    if (groups === 1) return t;
    const [batch, kvHeads, seq, depth] = t.shape;
    // Rank 4 throughout: tfjs has no gradient for a rank-5 tile.
    const tiled = tf.tile(tf.reshape(t, [batch, kvHeads, 1, seq * depth]), [1, 1, groups, 1]);
    return tf.reshape(tiled, [batch, kvHeads * groups, seq, depth]) as tf.Tensor4D;
  }

  /** SwiGLU: `down(silu(gate(x)) * up(x))`. */
  private mlp(layer: LlamaLayerWeights, x: tf.Tensor3D, input: TransformerInput): tf.Tensor3D {
    const rng = this.trainingRng(input);
    const gate = this.dense(layer.gate, x, rng);
    const activated = tf.mul(gate, tf.sigmoid(gate));
    return this.dense(layer.down, tf.mul(activated, this.dense(layer.up, x, rng)) as tf.Tensor3D, rng);
  }

  /** RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) * weight`. */
  private rmsNorm<T extends tf.Tensor>(x: T, weight: tf.Variable): T {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.config.rmsNormEps))), weight) as T;
  }

  /** The registered fast decoder for this model's shape, if any (see `createRotaryFastDecoding`). */
  fastDecoding(
    prompts: readonly (readonly number[])[],
    padTokenId: number,
    budgets: readonly { readonly budget: number }[],
  ): Decoding | undefined {
    return createRotaryFastDecoding(this, this.frequencies, { prompts, padTokenId, budgets });
  }

  /** The config's pad id, if any. */
  get padTokenId(): number | undefined {
    return this.config.fields.pad_token_id ?? undefined;
  }

  /** The config's `initializer_range`. */
  get initializerRange(): number {
    return this.config.fields.initializer_range;
  }

  /** transformers' class-name prefix, e.g. `Qwen2`. */
  get architecturePrefix(): string {
    return ARCHITECTURE_PREFIXES[this.config.modelType];
  }

  /** Every projection (q/k/v/o, gate/up/down), the modules LoRA can adapt. */
  loraTargets(): LlamaLinear[] {
    return llamaLinearModules(this.weights);
  }

  /** PEFT's default `target_modules` for this family. */
  readonly defaultLoraTargets: readonly string[] = ['q_proj', 'v_proj'];

  /** The name LoRA errors use. */
  get loraModelName(): string {
    return this.config.modelType;
  }

  /** The LM head: `lm_head.weight`, or the token embedding when tied. */
  protected lmHead(): tf.Tensor2D {
    return this.weights.lmHead ?? this.weights.embedTokens;
  }

  /** transformers' Trainer convention: biases and norm weights get no weight decay. */
  protected isDecayed(key: string): boolean {
    return !(key.endsWith('.bias') || /norm\.weight$/.test(key));
  }

  /** The model type, for the error on a disposed model. */
  protected get displayName(): string {
    return this.config.modelType;
  }

  /** Every weight with its checkpoint key (projection weights are held transposed, `[in, out]`). */
  namedWeights(): { key: string; variable: tf.Variable }[] {
    return llamaNamedWeights(this.weights);
  }

  /**
   * Writes `config.json` and `model.safetensors` in transformers' layout (projection weights back
   * in `[out, in]`; no `lm_head.weight` when tied, as transformers 5 saves), each file atomically.
   * With LoRA, PEFT's `adapter_config.json` and `adapter_model.safetensors` are written beside them.
   */
  async savePretrained(dir: string): Promise<void> {
    await this.saveWithHead(dir, new Map());
  }

  /**
   * `savePretrained` with head tensors added to `model.safetensors` (value or reward heads) and
   * `config` overrides; `dropLmHead` leaves `lm_head.weight` out (a classifier has none). With LoRA,
   * the base weights stay unmerged and PEFT's adapter files are written beside them.
   */
  async saveWithHead(
    dir: string,
    head: ReadonlyMap<string, tf.Tensor>,
    options: { config?: Record<string, unknown>; dropLmHead?: boolean } = {},
  ): Promise<void> {
    this.assertAlive();
    const tensors = new Map<string, tf.Tensor>();
    const created: tf.Tensor[] = [];
    try {
      for (const w of llamaNamedWeights(this.weights)) {
        if (options.dropLmHead && w.key === 'lm_head.weight') continue;
        const tensor = w.transposed ? tf.transpose(w.variable) : w.variable;
        if (w.transposed) created.push(tensor);
        tensors.set(w.key, tensor);
      }
      for (const [key, tensor] of head) tensors.set(key, tensor);
      await writePretrainedFiles(dir, { ...this.checkpointConfig(), ...options.config }, tensors);
    } finally {
      tf.dispose(created);
    }
    if (this.adapters) await saveLoraAdapter(this.adapters, dir, this.nameOrPath, false);
  }

  /**
   * The config as written to `config.json`. Its dtype says float32 (`dtype` in transformers 5,
   * `torch_dtype` in 4), since the weights are written as F32 whatever the loaded file held.
   */
  checkpointConfig(): Record<string, unknown> {
    const { modelType, fields } = this.config;
    const dtype = { ...('torch_dtype' in fields ? { torch_dtype: 'float32' } : {}), dtype: 'float32' };
    return {
      ...fields,
      ...dtype,
      architectures: [`${ARCHITECTURE_PREFIXES[modelType]}ForCausalLM`],
      model_type: modelType,
    };
  }
}

function isParsedConfig(config: LlamaConfig | Readonly<Record<string, unknown>>): config is LlamaConfig {
  return typeof config.fields === 'object' && typeof config.modelType === 'string';
}

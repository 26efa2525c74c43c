import {
  type CausalLM,
  type CausalLMInfo,
  type CausalLMInput,
  type CausalLMOutput,
  type GenerationOptions,
  type GenerationResult,
  linear,
  matmulTransposedB,
  type NamedVariable,
  Rng,
  type SeedSource,
  SPECIFICATION_VERSION,
  tf,
} from '@trl/core';
import { generate } from './generation/generate';
import { type InputLimits, prepareInput } from './gpt2/input';
import type { LoraAdapters } from './lora/adapters';
import type { TransformerInput, TransformerOutput } from './transformer-io';

/** How a model is assembled from existing weights (loading, reference models, adapters). */
export interface DecoderParts<Config, Weights> {
  /** The validated config. */
  readonly config: Config;
  /** The weights; the model takes ownership of those listed in `owned`. */
  readonly weights: Weights;
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

/** A projection as the models hold it: module path, `[in, out]` weight, optional bias. */
export interface DenseLayer {
  /** Module path (LoRA adapters are looked up by it). */
  readonly name: string;
  /** `[in, out]` weight. */
  readonly weight: tf.Tensor2D;
  /** `[out]` bias. */
  readonly bias?: tf.Tensor1D;
}

/**
 * What every decoder-only language model here shares, whatever its blocks: ownership and freezing
 * of the weights, the forward pass around the architecture's `transformer` body (input checks, the
 * LM head), LoRA-aware projections, dropout generators, generation and disposal.
 */
export abstract class DecoderLanguageModel<Config, Weights> implements CausalLM {
  /** Spec version this model implements. */
  readonly specificationVersion = SPECIFICATION_VERSION;
  /** Architecture facts. */
  abstract readonly info: CausalLMInfo;
  /** Vocabulary and context limits for validating inputs. */
  abstract readonly inputLimits: InputLimits;
  /** The validated config. */
  readonly config: Config;
  /** The weights. */
  readonly weights: Weights;
  /** Directory or hub repo the weights came from; saved as PEFT's `base_model_name_or_path`. */
  nameOrPath: string | undefined;
  /** LoRA adapters, when the model has them (set by `addLora`/`loadLoraAdapter`, cleared by `mergeAndUnload`). */
  adapters: LoraAdapters | undefined;
  private readonly owned: ReadonlySet<tf.Variable>;
  private readonly frozen: Set<tf.Variable>;
  private readonly dropoutRng: Rng;
  private disposed = false;

  /** Takes `parts`; `allVariables` lists every weight variable (the default of `owned`). */
  protected constructor(
    parts: DecoderParts<Config, Weights>,
    allVariables: (weights: Weights) => tf.Variable[],
  ) {
    this.config = parts.config;
    this.weights = parts.weights;
    this.adapters = parts.adapters;
    this.nameOrPath = parts.nameOrPath;
    this.owned = parts.owned ?? new Set(allVariables(parts.weights));
    this.frozen = new Set(parts.frozen ?? []);
    for (const v of this.frozen) v.trainable = false;
    this.dropoutRng = new Rng(parts.seed ?? 0);
  }

  /** The decoder body: embeddings, blocks, final norm; extends the KV cache when asked. */
  abstract transformer(input: TransformerInput): TransformerOutput;

  /** Every weight with its checkpoint key, frozen ones included (adapters excluded). */
  abstract namedWeights(): { key: string; variable: tf.Variable }[];

  /** The LM-head weight `[vocab, hidden]` (the token embedding when tied). */
  protected abstract lmHead(): tf.Tensor2D;

  /** Whether AdamW decays the weight under `key` (transformers' Trainer: not biases and norms). */
  protected abstract isDecayed(key: string): boolean;

  /** The architecture's name in the error for a disposed model. */
  protected abstract readonly displayName: string;

  /** Logits for every position; optionally the last hidden state too. */
  forward(input: CausalLMInput): CausalLMOutput {
    this.assertAlive();
    return tf.tidy(() => {
      const prepared = prepareInput(input, this.inputLimits);
      const { hidden } = this.transformer({
        ...prepared,
        training: input.training ?? false,
        embeddingNoise: input.embeddingNoise,
        dropoutRng: input.dropoutRng,
      });
      const [batch, seq, width] = hidden.shape;
      const flat = tf.reshape(hidden, [batch * seq, width]) as tf.Tensor2D;
      const logits = tf.reshape(matmulTransposedB(flat, this.lmHead()), [batch, seq, -1]) as tf.Tensor3D;
      return input.outputHiddenStates ? { logits, hiddenStates: hidden } : { logits };
    });
  }

  /**
   * The LM-head weight as `[hidden, vocab]`: transposed once, explicitly, so the projection is a
   * plain 2-D matmul (fast on wasm, and its gradient too). Callers that project many times
   * (generation) build it once and reuse it.
   */
  lmHeadWeightT(): tf.Tensor2D {
    return tf.transpose(this.lmHead()) as tf.Tensor2D;
  }

  /** The generator for this pass's dropout masks, or undefined outside training. */
  protected trainingRng(input: Pick<TransformerInput, 'training' | 'dropoutRng'>): SeedSource | undefined {
    return input.training ? (input.dropoutRng ?? this.dropoutRng) : undefined;
  }

  /** `x @ weight (+ bias)` on the last axis, plus the LoRA update when the module has an adapter. */
  protected dense(layer: DenseLayer, x: tf.Tensor3D, rng: SeedSource | undefined): tf.Tensor3D {
    const [batch, seq, width] = x.shape;
    const flat = tf.reshape(x, [batch * seq, width]) as tf.Tensor2D;
    let y = linear(flat, layer.weight, layer.bias) as tf.Tensor2D;
    const adapter = this.adapters?.forModule(layer.name);
    if (adapter) y = tf.add(y, adapter.delta(flat, rng));
    return tf.reshape(y, [batch, seq, -1]) as tf.Tensor3D;
  }

  /** Batched generation with a KV cache; see {@link GenerationOptions}. */
  generate(prompts: readonly (readonly number[])[], options: GenerationOptions): Promise<GenerationResult[]> {
    this.assertAlive();
    return generate(this, prompts, options);
  }

  /** The variables an optimizer updates: adapters only when the model has LoRA, else all unfrozen weights. */
  trainableVariables(): NamedVariable[] {
    if (this.adapters) return this.adapters.trainableVariables();
    return this.namedWeights()
      .filter((w) => !this.frozen.has(w.variable))
      .map((w) => ({ name: w.key, variable: w.variable, decay: this.isDecayed(w.key) }));
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

  /** Writes the model in Hugging Face layout. */
  abstract savePretrained(dir: string): Promise<void>;

  /** Frees the variables this model owns (shared ones stay with their owner). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.owned) v.dispose();
    this.adapters?.dispose();
  }

  /** Throws when the model was disposed. */
  protected assertAlive(): void {
    if (this.disposed)
      throw new Error(`This ${this.displayName} model was disposed; load or create a new one.`);
  }
}

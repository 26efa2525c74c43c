import { linear, type NamedVariable, Rng, type SeedSource, TrlError, tf } from '@trl/core';
import { isLoraTarget, type LoraConfig, loraScaling } from './config';

/** A projection LoRA can adapt: its module path and its `[in, out]` weight. */
export interface LoraTargetLayer {
  /** Module path, e.g. `transformer.h.0.attn.c_attn` or `model.layers.0.self_attn.q_proj`. */
  readonly name: string;
  /** `[in, out]` weight. */
  readonly weight: tf.Variable;
}

/** PEFT's key prefix in `adapter_model.safetensors`. */
export const PEFT_PREFIX = 'base_model.model.';

/**
 * One low-rank update of a GPT-2 projection: `delta(x) = dropout(x) @ A @ B * scaling`. GPT-2's
 * Conv1D keeps weights as `[in, out]` (PEFT's fan_in_fan_out), so the factors are held the same way,
 * `down` = lora_A transposed `[in, r]` and `up` = lora_B transposed `[r, out]`: the forward pass is
 * two plain matmuls. PEFT's `[r, in]` / `[out, r]` layout is restored on save.
 */
export class LoraAdapter {
  /** Module path, e.g. `transformer.h.0.attn.c_attn`. */
  readonly module: string;
  /** lora_A transposed, `[in, r]`; uniform(±1/sqrt(in)) as PEFT's kaiming init. */
  readonly down: tf.Variable;
  /** lora_B transposed, `[r, out]`; zeros, so a fresh adapter changes nothing. */
  readonly up: tf.Variable;
  /** alpha / r (or alpha / sqrt(r)). */
  readonly scaling: number;
  /** Input dropout rate in training. */
  readonly dropout: number;

  /** Wraps existing factors (see {@link LoraAdapter.init}). */
  constructor(module: string, down: tf.Variable, up: tf.Variable, scaling: number, dropout: number) {
    this.module = module;
    this.down = down;
    this.up = up;
    this.scaling = scaling;
    this.dropout = dropout;
  }

  /** A fresh adapter for `layer`. */
  static init(layer: LoraTargetLayer, config: LoraConfig, rng: Rng): LoraAdapter {
    const [fanIn, fanOut] = layer.weight.shape as [number, number];
    const bound = 1 / Math.sqrt(fanIn);
    const down = tf.tidy(() =>
      tf.variable(tf.randomUniform([fanIn, config.r], -bound, bound, 'float32', rng.nextSeed())),
    );
    const up = tf.tidy(() => tf.variable(tf.zeros([config.r, fanOut])));
    return new LoraAdapter(layer.name, down, up, loraScaling(config), config.loraDropout);
  }

  /** The update for `x` `[n, in]`; `rng` is given in training mode to draw the dropout mask. */
  delta(x: tf.Tensor2D, rng: SeedSource | undefined): tf.Tensor2D {
    const input = rng && this.dropout > 0 ? tf.dropout(x, this.dropout, undefined, rng.nextSeed()) : x;
    return tf.mul(
      linear(linear(input as tf.Tensor2D, this.down as tf.Tensor2D), this.up as tf.Tensor2D),
      this.scaling,
    );
  }

  /** `scaling * A^T B^T`, the `[in, out]` change merging adds to the weight. */
  mergedDelta(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(linear(this.down as tf.Tensor2D, this.up as tf.Tensor2D), this.scaling));
  }

  /** PEFT checkpoint keys of the two factors. */
  keys(): { a: string; b: string } {
    return {
      a: `${PEFT_PREFIX}${this.module}.lora_A.weight`,
      b: `${PEFT_PREFIX}${this.module}.lora_B.weight`,
    };
  }
}

/** The adapters of one model, by module path, plus the settings they were made with. */
export class LoraAdapters {
  /** Settings (saved as `adapter_config.json`). */
  readonly config: LoraConfig;
  private readonly byModule: Map<string, LoraAdapter>;
  /** Whether `forModule` hands adapters out; off, the model computes the base outputs. */
  enabled = true;

  /** Wraps adapters built elsewhere (see {@link LoraAdapters.attach}). */
  constructor(config: LoraConfig, adapters: Iterable<LoraAdapter>) {
    this.config = config;
    this.byModule = new Map([...adapters].map((a) => [a.module, a]));
  }

  /** New adapters on every targeted module of `layers`; fails when no module matches, listing `modelName`'s modules. */
  static attach(layers: readonly LoraTargetLayer[], config: LoraConfig, modelName = 'GPT-2'): LoraAdapters {
    const rng = new Rng(config.seed);
    const targets = layers.filter((layer) => isLoraTarget(layer.name, config.targetModules));
    if (targets.length === 0) {
      const names = [...new Set(layers.map((layer) => layer.name.slice(layer.name.lastIndexOf('.') + 1)))];
      const listed =
        names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
      throw new TrlError(
        'invalid-value',
        `LoRA targetModules ${JSON.stringify(config.targetModules)} match no module; ${modelName}'s are ${listed}.`,
      );
    }
    return new LoraAdapters(
      config,
      targets.map((layer) => LoraAdapter.init(layer, config, rng)),
    );
  }

  /** The adapter of `module`, when there is one and adapters are enabled. */
  forModule(module: string): LoraAdapter | undefined {
    return this.enabled ? this.byModule.get(module) : undefined;
  }

  /** Every adapter, in module order. */
  all(): LoraAdapter[] {
    return [...this.byModule.values()];
  }

  /** The factors as trainable variables, named by their PEFT keys. */
  trainableVariables(): NamedVariable[] {
    return this.all().flatMap((a) => {
      const keys = a.keys();
      return [
        { name: keys.a, variable: a.down, decay: true },
        { name: keys.b, variable: a.up, decay: true },
      ];
    });
  }

  /** Frees the factors. */
  dispose(): void {
    for (const a of this.all()) {
      a.down.dispose();
      a.up.dispose();
    }
  }
}

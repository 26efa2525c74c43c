import { type Rng, tf } from '@trl/core';
import { type Gpt2Config, mlpWidth } from './config';

/** A 2-D weight variable. */
export type Matrix = tf.Variable<tf.Rank.R2>;

/** A 1-D weight variable. */
export type Vector = tf.Variable<tf.Rank.R1>;

/** A Conv1D-style projection as GPT-2 stores it: `weight` is `[in, out]`, so `y = x @ weight + bias`. */
export interface LinearWeights {
  /** Module path without `.weight`, e.g. `transformer.h.0.attn.c_attn` (LoRA targets match on it). */
  readonly name: string;
  /** `[in, out]` weight. */
  readonly weight: Matrix;
  /** `[out]` bias. */
  readonly bias: Vector;
}

/** Layer norm scale and shift. */
export interface LayerNormWeights {
  /** Scale, `[d]`. */
  readonly weight: Vector;
  /** Shift, `[d]`. */
  readonly bias: Vector;
}

/** One transformer block. */
export interface BlockWeights {
  /** Norm before attention. */
  readonly ln1: LayerNormWeights;
  /** Fused q, k, v projection `[d, 3d]`. */
  readonly cAttn: LinearWeights;
  /** Attention output projection `[d, d]`. */
  readonly attnProj: LinearWeights;
  /** Norm before the MLP. */
  readonly ln2: LayerNormWeights;
  /** MLP up projection `[d, inner]`. */
  readonly fc: LinearWeights;
  /** MLP down projection `[inner, d]`. */
  readonly mlpProj: LinearWeights;
}

/** Every parameter of GPT2LMHeadModel. */
export interface Gpt2Weights {
  /** Token embedding `[vocab, d]`; also the LM head when tied. */
  readonly wte: Matrix;
  /** Position embedding `[n_positions, d]`. */
  readonly wpe: Matrix;
  /** The transformer blocks, in order. */
  readonly blocks: readonly BlockWeights[];
  /** Final layer norm. */
  readonly lnF: LayerNormWeights;
  /** Separate LM head `[vocab, d]`, only when `tie_word_embeddings` is false. */
  readonly lmHead?: Matrix;
}

/** A weight with its Hugging Face checkpoint key (the `transformer.`-prefixed layout). */
export interface NamedWeight {
  /** Checkpoint key, e.g. `transformer.h.0.ln_1.weight`. */
  readonly key: string;
  /** The variable. */
  readonly variable: tf.Variable;
  /** The first block index this weight belongs to, or -1 for embeddings and ≥ n_layer for ln_f/lm_head. */
  readonly layer: number;
}

/**
 * Lists the weights in `named_parameters()` order with their checkpoint keys. The order matters for
 * `createReferenceModel`, which shares everything before the first unshared block.
 */
export function namedWeights(weights: Gpt2Weights): NamedWeight[] {
  const out: NamedWeight[] = [
    { key: 'transformer.wte.weight', variable: weights.wte, layer: -1 },
    { key: 'transformer.wpe.weight', variable: weights.wpe, layer: -1 },
  ];
  weights.blocks.forEach((block, layer) => {
    const prefix = `transformer.h.${layer}`;
    const add = (key: string, variable: tf.Variable) =>
      out.push({ key: `${prefix}.${key}`, variable, layer });
    const parts: [string, { weight: tf.Variable; bias: tf.Variable }][] = [
      ['ln_1', block.ln1],
      ['attn.c_attn', block.cAttn],
      ['attn.c_proj', block.attnProj],
      ['ln_2', block.ln2],
      ['mlp.c_fc', block.fc],
      ['mlp.c_proj', block.mlpProj],
    ];
    for (const [name, part] of parts) {
      add(`${name}.weight`, part.weight);
      add(`${name}.bias`, part.bias);
    }
  });
  const last = weights.blocks.length;
  out.push({ key: 'transformer.ln_f.weight', variable: weights.lnF.weight, layer: last });
  out.push({ key: 'transformer.ln_f.bias', variable: weights.lnF.bias, layer: last });
  if (weights.lmHead) out.push({ key: 'lm_head.weight', variable: weights.lmHead, layer: last });
  return out;
}

/** Every linear module of the blocks, for LoRA targeting. */
export function linearModules(weights: Gpt2Weights): LinearWeights[] {
  return weights.blocks.flatMap((b) => [b.cAttn, b.attnProj, b.fc, b.mlpProj]);
}

/** The shape each checkpoint key must have under `config`. */
export function expectedShapes(config: Gpt2Config): Map<string, number[]> {
  const d = config.n_embd;
  const inner = mlpWidth(config);
  const shapes = new Map<string, number[]>([
    ['transformer.wte.weight', [config.vocab_size, d]],
    ['transformer.wpe.weight', [config.n_positions, d]],
    ['transformer.ln_f.weight', [d]],
    ['transformer.ln_f.bias', [d]],
  ]);
  for (let i = 0; i < config.n_layer; i++) {
    const p = `transformer.h.${i}`;
    shapes.set(`${p}.ln_1.weight`, [d]);
    shapes.set(`${p}.ln_1.bias`, [d]);
    shapes.set(`${p}.attn.c_attn.weight`, [d, 3 * d]);
    shapes.set(`${p}.attn.c_attn.bias`, [3 * d]);
    shapes.set(`${p}.attn.c_proj.weight`, [d, d]);
    shapes.set(`${p}.attn.c_proj.bias`, [d]);
    shapes.set(`${p}.ln_2.weight`, [d]);
    shapes.set(`${p}.ln_2.bias`, [d]);
    shapes.set(`${p}.mlp.c_fc.weight`, [d, inner]);
    shapes.set(`${p}.mlp.c_fc.bias`, [inner]);
    shapes.set(`${p}.mlp.c_proj.weight`, [inner, d]);
    shapes.set(`${p}.mlp.c_proj.bias`, [d]);
  }
  if (!config.tie_word_embeddings) shapes.set('lm_head.weight', [config.vocab_size, d]);
  return shapes;
}

let builtModels = 0;

/**
 * The tfjs name of a weight: its checkpoint key plus the model instance, since tfjs variable names
 * must be unique across every model alive (a policy and its reference model hold the same keys).
 */
export function variableName(key: string, instance: number): string {
  return `${key}@gpt2-${instance}`;
}

/**
 * Builds the weights from a key → initial value function, in `named_parameters()` order. The
 * returned tensors become variables (the function's tensors are moved into them, not copied).
 */
export function buildWeights(
  config: Gpt2Config,
  initial: (key: string, shape: number[]) => tf.Tensor,
): Gpt2Weights {
  const shapes = expectedShapes(config);
  const instance = ++builtModels;
  const variable = <R extends tf.Rank>(key: string): tf.Variable<R> => {
    const shape = shapes.get(key)!;
    const value = initial(key, shape);
    const v = tf.variable(value, true, variableName(key, instance));
    value.dispose();
    return v as tf.Variable<R>;
  };
  const linear = (name: string): LinearWeights => ({
    name,
    weight: variable<tf.Rank.R2>(`${name}.weight`),
    bias: variable<tf.Rank.R1>(`${name}.bias`),
  });
  const norm = (name: string): LayerNormWeights => ({
    weight: variable<tf.Rank.R1>(`${name}.weight`),
    bias: variable<tf.Rank.R1>(`${name}.bias`),
  });
  const wte = variable<tf.Rank.R2>('transformer.wte.weight');
  const wpe = variable<tf.Rank.R2>('transformer.wpe.weight');
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < config.n_layer; i++) {
    const p = `transformer.h.${i}`;
    blocks.push({
      ln1: norm(`${p}.ln_1`),
      cAttn: linear(`${p}.attn.c_attn`),
      attnProj: linear(`${p}.attn.c_proj`),
      ln2: norm(`${p}.ln_2`),
      fc: linear(`${p}.mlp.c_fc`),
      mlpProj: linear(`${p}.mlp.c_proj`),
    });
  }
  const lnF = norm('transformer.ln_f');
  const lmHead = config.tie_word_embeddings ? undefined : variable<tf.Rank.R2>('lm_head.weight');
  return lmHead ? { wte, wpe, blocks, lnF, lmHead } : { wte, wpe, blocks, lnF };
}

/**
 * GPT-2's initialisation: normal(0, initializer_range) for embeddings and projections, the residual
 * projections (`c_proj`) scaled by 1/sqrt(2 * n_layer), zero biases, unit layer-norm scales.
 * Every draw takes its seed from `rng`, so the same seed gives the same model on every backend.
 */
export function initGpt2Weights(config: Gpt2Config, rng: Rng): Gpt2Weights {
  const std = config.initializer_range;
  return buildWeights(config, (key, shape) => {
    if (key.endsWith('.bias')) return tf.zeros(shape);
    if (/\.ln_\d\.weight$|ln_f\.weight$/.test(key)) return tf.ones(shape);
    const scale = key.endsWith('c_proj.weight') ? 1 / Math.sqrt(2 * config.n_layer) : 1;
    return tf.randomNormal(shape, 0, std * scale, 'float32', rng.nextSeed());
  });
}

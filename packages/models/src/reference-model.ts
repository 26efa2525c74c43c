import { TrlError, tf } from '@trl/core';
import { Gpt2LMHeadModel } from './gpt2/model';
import { type Gpt2Weights, namedWeights } from './gpt2/weights';
import type { Gpt2WithValueHead } from './heads/value-head';
import { LlamaForCausalLM } from './llama/model';
import { llamaNamedWeights, mapLlamaWeights } from './llama/weights';

let referenceModels = 0;

/** Options for {@link createReferenceModel}. */
export interface ReferenceModelOptions {
  /**
   * Share the embeddings and the first this-many blocks with the policy instead of copying them
   * (TRL's `num_shared_layers`). Shared weights are frozen in the policy too. Default: copy all.
   */
  numSharedLayers?: number;
}

/**
 * A frozen reference model for KL penalties, as TRL's `create_reference_model`. Shared layers are
 * the very same variables as the policy's (no copy, no extra memory); the rest are copies. For a
 * model with LoRA adapters the reference is the base model itself, adapters disabled, sharing every
 * weight. Disposing the reference frees only its copies.
 */
export function createReferenceModel(
  model: Gpt2LMHeadModel | Gpt2WithValueHead,
  options?: ReferenceModelOptions,
): Gpt2LMHeadModel;
/** The same for a Llama-family policy. */
export function createReferenceModel(
  model: LlamaForCausalLM | Gpt2WithValueHead<LlamaForCausalLM>,
  options?: ReferenceModelOptions,
): LlamaForCausalLM;
export function createReferenceModel(
  model: Gpt2LMHeadModel | LlamaForCausalLM | Gpt2WithValueHead | Gpt2WithValueHead<LlamaForCausalLM>,
  options: ReferenceModelOptions = {},
): Gpt2LMHeadModel | LlamaForCausalLM {
  const backbone =
    model instanceof Gpt2LMHeadModel || model instanceof LlamaForCausalLM ? model : model.backbone;
  if (backbone instanceof LlamaForCausalLM) return llamaReferenceModel(backbone, options);
  const policy = backbone;
  const all = namedWeights(policy.weights);
  if (policy.adapters) {
    return new Gpt2LMHeadModel({
      config: policy.config,
      weights: policy.weights,
      owned: new Set(),
      frozen: new Set(all.map((w) => w.variable)),
    });
  }
  const shared = checkSharedLayers(options.numSharedLayers, policy.config.n_layer);
  const isShared = (layer: number) => shared !== undefined && layer < shared;
  const sharedVariables = all.filter((w) => isShared(w.layer)).map((w) => w.variable);
  policy.freeze(sharedVariables);

  const { weightOf, copies } = referenceCopier(new Set(sharedVariables));
  const w = policy.weights;
  const linear = (l: (typeof w.blocks)[number]['cAttn']) => ({
    name: l.name,
    weight: weightOf(l.weight),
    bias: weightOf(l.bias),
  });
  const norm = (n: (typeof w.blocks)[number]['ln1']) => ({
    weight: weightOf(n.weight),
    bias: weightOf(n.bias),
  });
  const weights: Gpt2Weights = {
    wte: weightOf(w.wte),
    wpe: weightOf(w.wpe),
    blocks: w.blocks.map((b) => ({
      ln1: norm(b.ln1),
      cAttn: linear(b.cAttn),
      attnProj: linear(b.attnProj),
      ln2: norm(b.ln2),
      fc: linear(b.fc),
      mlpProj: linear(b.mlpProj),
    })),
    lnF: norm(w.lnF),
    ...(w.lmHead ? { lmHead: weightOf(w.lmHead) } : {}),
  };
  return new Gpt2LMHeadModel({
    config: policy.config,
    weights,
    owned: new Set(copies.values()),
    frozen: new Set(namedWeights(weights).map((n) => n.variable)),
  });
}

/** `numSharedLayers`, checked against the model's layer count. */
function checkSharedLayers(shared: number | undefined, nLayer: number): number | undefined {
  if (shared !== undefined && (!Number.isInteger(shared) || shared < 0 || shared >= nLayer)) {
    throw new TrlError(
      'invalid-argument',
      `numSharedLayers must be an integer in 0..${nLayer - 1} (the model has ${nLayer} layers), got ${shared}.`,
    );
  }
  return shared;
}

/** {@link createReferenceModel} for the Llama family: the same sharing rules, its weight layout. */
function llamaReferenceModel(policy: LlamaForCausalLM, options: ReferenceModelOptions): LlamaForCausalLM {
  const all = llamaNamedWeights(policy.weights);
  if (policy.adapters) {
    return new LlamaForCausalLM({
      config: policy.config,
      weights: policy.weights,
      owned: new Set(),
      frozen: new Set(all.map((w) => w.variable)),
    });
  }
  const shared = checkSharedLayers(options.numSharedLayers, policy.config.layers);
  const sharedVariables = new Set(
    all.filter((w) => shared !== undefined && w.layer < shared).map((w) => w.variable),
  );
  policy.freeze(sharedVariables);
  const { weightOf, copies } = referenceCopier(sharedVariables);
  const weights = mapLlamaWeights(policy.weights, weightOf);
  return new LlamaForCausalLM({
    config: policy.config,
    weights,
    owned: new Set(copies.values()),
    frozen: new Set(llamaNamedWeights(weights).map((n) => n.variable)),
  });
}

/**
 * The weights of one new reference model: a shared variable as it is, any other as one frozen copy
 * (made once, named after the original with this reference's instance number).
 */
function referenceCopier(shared: ReadonlySet<tf.Variable>) {
  const copies = new Map<tf.Variable, tf.Variable>();
  const instance = ++referenceModels;
  const weightOf = <R extends tf.Rank>(v: tf.Variable<R>): tf.Variable<R> => {
    if (shared.has(v)) return v;
    let copy = copies.get(v);
    if (!copy) {
      copy = tf.variable(v, false, `${v.name.replace(/@[^@]*$/, '')}@reference-${instance}`);
      copies.set(v, copy);
    }
    return copy as tf.Variable<R>;
  };
  return { weightOf, copies };
}

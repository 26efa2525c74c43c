import type * as tf from '@tensorflow/tfjs';
import { type FastDecoderProvider, TrlError } from '@trl/spec';
import type { FastDecoderCapability } from './rotary-decoder';

/**
 * Declares that products with MatMul's transpose flags run as fast as plain ones, so the default
 * MatMul gradients (and `a @ bᵀ` without materialising `bᵀ`) are the better choice there.
 */
export interface TransposedMatMulProvider {
  /** Who provides it, for diagnostics (e.g. `@trl/native`). */
  readonly name: string;
  /** Whether transposed products are fast on the tfjs backend registered as `backendName`. */
  supportsBackend(backendName: string): boolean;
}

/** The tensors of one fused AdamW update: float32, all of the parameter's shape. */
export interface FusedAdamWInputs {
  /** The parameter before the update. */
  param: tf.Tensor;
  /** Its gradient. */
  grad: tf.Tensor;
  /** The first moment before the update. */
  first: tf.Tensor;
  /** The second moment before the update. */
  second: tf.Tensor;
}

/** Scalars of one fused AdamW update; the caller computes the step-dependent ones. */
export interface FusedAdamWFactors {
  /** Decay of the first moment. */
  beta1: number;
  /** Decay of the second moment. */
  beta2: number;
  /** Added to the denominator. */
  epsilon: number;
  /** `1 − lr·weightDecay` for decayed parameters, else 1 (decoupled weight decay). */
  decayFactor: number;
  /** `lr / (1 − β1^t)`. */
  stepSize: number;
  /** `√(1 − β2^t)`. */
  biasCorrection2Sqrt: number;
}

/**
 * Updates a parameter and its AdamW moments in one call instead of about fourteen tensor ops.
 * `AdamW` (device moments) uses it on the backends it supports.
 */
export interface FusedAdamWProvider {
  /** Who provides it, for diagnostics (e.g. `@trl/native`). */
  readonly name: string;
  /** Whether {@link FusedAdamWProvider.update} can run on the tfjs backend registered as `backendName`. */
  supportsBackend(backendName: string): boolean;
  /**
   * Returns fresh tensors (the caller owns them), in order the new `param`, `first` and `second`:
   * `first' = β1·first + (1 − β1)·grad`, `second' = β2·second + (1 − β2)·grad²`,
   * `param' = decayFactor·param − stepSize·first' / (√second' / biasCorrection2Sqrt + ε)`.
   * Inputs are left untouched. Throws when it cannot compute the update.
   */
  update(inputs: FusedAdamWInputs, factors: FusedAdamWFactors): [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Each capability's name and the interface its provider implements. */
export interface CapabilityProviders {
  /** Fast products with transpose flags (consulted by `matmul2d`'s gradient and `matmulTransposedB`). */
  transposedMatMul: TransposedMatMulProvider;
  /** A one-call AdamW update (consulted by `AdamW`). */
  fusedAdamW: FusedAdamWProvider;
  /** Whole decoding steps for models' `generate()` (see `FastDecoderCapability`). */
  fastDecoder: FastDecoderCapability;
}

/** A capability a package such as @trl/native can provide. */
export type CapabilityName = keyof CapabilityProviders;

/** Every capability, with the methods its provider must have (checked at registration). */
const REQUIRED_METHODS: { readonly [N in CapabilityName]: readonly string[] } = {
  transposedMatMul: ['supportsBackend'],
  fusedAdamW: ['supportsBackend', 'update'],
  fastDecoder: ['create'],
};

/** The names of every capability. */
export const CAPABILITY_NAMES = Object.keys(REQUIRED_METHODS) as readonly CapabilityName[];

type Registry = { [N in CapabilityName]?: CapabilityProviders[N] };

// One slot on globalThis, not module state: the ESM and CommonJS builds of @trl/core, or two copies
// in node_modules, can be loaded in one process, and a provider registered through one must be seen
// by the others.
const SLOT = Symbol.for('@trl/core.capabilities');

function registry(): Registry {
  const holder = globalThis as { [SLOT]?: Registry };
  let slot = holder[SLOT];
  if (slot === undefined) {
    slot = {};
    holder[SLOT] = slot;
  }
  return slot;
}

/**
 * Makes `provider` the one serving capability `name`, replacing any earlier provider. Returns a
 * function that removes it again if it is still the registered one (so a stale unregister cannot
 * remove a newer provider). Throws when `name` is unknown or the provider lacks a method.
 */
export function registerCapability<N extends CapabilityName>(
  name: N,
  provider: CapabilityProviders[N],
): () => void {
  const required = Object.hasOwn(REQUIRED_METHODS, name) ? REQUIRED_METHODS[name] : undefined;
  if (!required) {
    throw new TrlError(
      'invalid-argument',
      `registerCapability: unknown capability '${String(name)}'; expected one of ${CAPABILITY_NAMES.join(', ')}.`,
    );
  }
  const record = provider as unknown as Record<string, unknown> | null;
  const missing =
    typeof record !== 'object' || record === null
      ? ['name', ...required]
      : [
          ...(typeof record.name === 'string' ? [] : ['name']),
          ...required.filter((method) => typeof record[method] !== 'function'),
        ];
  if (missing.length > 0) {
    throw new TrlError(
      'invalid-argument',
      `registerCapability: the '${name}' provider lacks ${missing.join(', ')} (needs a name and ${required.join(', ')}).`,
    );
  }
  registry()[name] = provider;
  return () => {
    const slot = registry();
    if (slot[name] === provider) delete slot[name];
  };
}

/** The provider serving capability `name`, or undefined when none is registered. */
export function getCapability<N extends CapabilityName>(name: N): CapabilityProviders[N] | undefined {
  return registry()[name];
}

/**
 * Makes `provider` the fast decoder models use for generation.
 * @deprecated Use `registerCapability('fastDecoder', provider)`.
 */
export function registerFastDecoderProvider(provider: FastDecoderProvider): () => void {
  return registerCapability('fastDecoder', provider);
}

/**
 * The registered fast decoder provider, if any.
 * @deprecated Use `getCapability('fastDecoder')`.
 */
export function fastDecoderProvider(): FastDecoderProvider | undefined {
  return getCapability('fastDecoder');
}

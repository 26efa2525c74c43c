import type { FastDecoderProvider } from '@trl/spec';

// On globalThis rather than in module state, so the ESM and CommonJS builds of @trl/core (both can
// be loaded in one process) see the same provider.
const SLOT = Symbol.for('@trl/core.fastDecoderProvider');
type Slot = { [SLOT]?: FastDecoderProvider };

/**
 * Makes `provider` the fast decoder that models use for generation (replacing any earlier one).
 * Returns a function that removes it again, if it is still the registered one.
 */
export function registerFastDecoderProvider(provider: FastDecoderProvider): () => void {
  if (typeof provider?.create !== 'function' || typeof provider.name !== 'string') {
    throw new Error(
      'registerFastDecoderProvider: provider needs a name and a create(shape, weights, limits) method.',
    );
  }
  (globalThis as Slot)[SLOT] = provider;
  return () => {
    if ((globalThis as Slot)[SLOT] === provider) delete (globalThis as Slot)[SLOT];
  };
}

/** The registered fast decoder provider, if any. */
export function fastDecoderProvider(): FastDecoderProvider | undefined {
  return (globalThis as Slot)[SLOT];
}

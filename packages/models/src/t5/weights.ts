import type { T5Config } from './config';

/** Module path of encoder or decoder block `index`, sub-layer `sub`. */
export function blockKey(stack: 'encoder' | 'decoder', index: number, sub: number): string {
  return `${stack}.block.${index}.layer.${sub}`;
}

/** Key of the relative-position bias table, which only block 0 of each stack has. */
export function relativeBiasKey(stack: 'encoder' | 'decoder'): string {
  return `${blockKey(stack, 0, 0)}.SelfAttention.relative_attention_bias.weight`;
}

/** The tied-or-not head: `lm_head.weight` when the model has its own. */
export const LM_HEAD_KEY = 'lm_head.weight';

/**
 * Shape of every weight, by checkpoint key (torch layout, linear weights `[out, in]`, no biases
 * anywhere in T5). `ownHead` adds `lm_head.weight`.
 */
export function t5Shapes(config: T5Config, ownHead: boolean): Map<string, number[]> {
  const { dModel: d, numHeads, dKv, dFf, vocabSize, numBuckets } = config;
  const inner = numHeads * dKv;
  const shapes = new Map<string, number[]>([['shared.weight', [vocabSize, d]]]);
  const attention = (module: string) => {
    for (const name of ['q', 'k', 'v']) shapes.set(`${module}.${name}.weight`, [inner, d]);
    shapes.set(`${module}.o.weight`, [d, inner]);
  };
  const feedForward = (module: string) => {
    const up = config.gated ? ['wi_0', 'wi_1'] : ['wi'];
    for (const name of up) shapes.set(`${module}.DenseReluDense.${name}.weight`, [dFf, d]);
    shapes.set(`${module}.DenseReluDense.wo.weight`, [d, dFf]);
    shapes.set(`${module}.layer_norm.weight`, [d]);
  };
  for (const stack of ['encoder', 'decoder'] as const) {
    const layers = stack === 'encoder' ? config.numLayers : config.numDecoderLayers;
    for (let i = 0; i < layers; i++) {
      attention(`${blockKey(stack, i, 0)}.SelfAttention`);
      shapes.set(`${blockKey(stack, i, 0)}.layer_norm.weight`, [d]);
      if (stack === 'decoder') {
        attention(`${blockKey(stack, i, 1)}.EncDecAttention`);
        shapes.set(`${blockKey(stack, i, 1)}.layer_norm.weight`, [d]);
      }
      feedForward(blockKey(stack, i, stack === 'encoder' ? 1 : 2));
    }
    shapes.set(relativeBiasKey(stack), [numBuckets, numHeads]);
    shapes.set(`${stack}.final_layer_norm.weight`, [d]);
  }
  if (ownHead) shapes.set(LM_HEAD_KEY, [vocabSize, d]);
  return shapes;
}

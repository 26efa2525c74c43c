export type { CausalAttentionOptions } from './causal-attention';
export { causalAttention, MASKED_SCORE } from './causal-attention';
export type { CrossEntropyOptions, CrossEntropyReduction } from './cross-entropy';
export { crossEntropy } from './cross-entropy';
export { embedding } from './embedding';
export { geluNew } from './gelu-new';
export { layerNorm } from './layer-norm';
export { linear } from './linear';
export { matmul2d, matmulTransposedB } from './matmul2d';

export { embedding } from './embedding';
export { geluNew } from './gelu-new';
export { layerNorm } from './layer-norm';
export { linear } from './linear';
export { matmul2d } from './matmul2d';

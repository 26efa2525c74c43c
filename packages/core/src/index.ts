/**
 * @trl/core: the specification every trl-ts package codes against, plus the tensor engine
 * (backend selection, differentiable ops), RL math, training utilities and IO.
 */
export * as tf from '@tensorflow/tfjs';
export * from './spec/index';
export * from './engine/index';
export * from './ops/index';
export * from './rl/index';
export * from './train/index';
export * from './io/index';

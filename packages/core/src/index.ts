/**
 * @trl/core: the specification every trl-ts package codes against, plus the tensor engine
 * (backend selection, differentiable ops), RL math, training utilities and IO.
 */
export * as tf from '@tensorflow/tfjs';
export * from './accel/index';
export * from './checkpoint/index';
export * from './data/index';
export * from './engine/index';
export * from './io/index';
export * from './loop/index';
export * from './ops/index';
export * from './options/index';
export * from './rl/index';
export * from './spec/index';
export * from './train/index';

/**
 * @trl/core: the tensor engine (backend selection, differentiable ops), RL math, training
 * utilities and IO. It re-exports all of @trl/spec, so code that imports the spec types from
 * `@trl/core` keeps working; packages that need only the spec depend on @trl/spec instead.
 */
export * as tf from '@tensorflow/tfjs';
export * from '@trl/spec';
export * from './accel/index';
export * from './checkpoint/index';
export * from './data/index';
export * from './engine/index';
export * from './io/index';
export * from './loop/index';
export * from './ops/index';
export * from './rl/index';
export * from './train/index';

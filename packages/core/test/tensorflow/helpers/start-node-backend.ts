// Started by engine-tensorflow.test.ts with command-line flags of its own choosing: starts the
// `node` backend and prints the active tfjs backend.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/engine/index';

await initBackend('node');
console.log(tf.getBackend());

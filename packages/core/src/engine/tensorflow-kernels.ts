import * as tf from '@tensorflow/tfjs';

/**
 * Corrects the `tensorflow` backend where the TensorFlow under the binding (a newer libtensorflow
 * than the 2.9.1 tfjs-node was written for) disagrees with tfjs: `Round` of an int32 tensor returns
 * zeros there, while rounding an integer is the identity on every other backend. Idempotent.
 */
export function installTensorflowKernelFixes(): void {
  const round = tf.getKernel('Round', 'tensorflow');
  const identity = tf.getKernel('Identity', 'tensorflow');
  if (!round || !identity || FIXED.has(round.kernelFunc)) return;
  const stockRound = round.kernelFunc;
  const fixedRound: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === 'int32' ? identity.kernelFunc(args) : stockRound(args);
  };
  FIXED.add(fixedRound);
  tf.unregisterKernel('Round', 'tensorflow');
  tf.registerKernel({ ...round, kernelFunc: fixedRound });
}

const FIXED = new WeakSet<tf.KernelFunc>();

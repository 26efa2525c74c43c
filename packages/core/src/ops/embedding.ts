import * as tf from '@tensorflow/tfjs';
import { customGradient } from './custom-gradient';
import { check, checkDtype, checkRank, checkTensor, formatShape } from './validate';

/**
 * Sums the rows of `updates [n, d]` into a zero `[vocab, d]` matrix at rows `ids [n]`,
 * accumulating repeated ids: the gradient of a row gather.
 *
 * tfjs's own gather gradient uses UnsortedSegmentSum, which wasm lacks and cpu runs very slowly.
 * ScatterNd sums duplicate indices on every backend and stays inside wasm's heap (46 ms for a
 * 50257×768 table and 1024 ids), but cpu's ScatterNd takes seconds at that size, while a plain
 * JS loop over the already-JS-resident arrays needs ~0.4 s there.
 */
function scatterAddRows(updates: tf.Tensor2D, ids: tf.Tensor1D, vocabSize: number): tf.Tensor2D {
  const [count, width] = updates.shape;
  if (tf.getBackend() !== 'cpu') {
    return tf.scatterND(tf.reshape(ids, [count, 1]), updates, [vocabSize, width]);
  }
  const idValues = ids.dataSync();
  const updateValues = updates.dataSync();
  const sums = new Float32Array(vocabSize * width);
  for (let i = 0; i < count; i++) {
    const target = idValues[i]! * width;
    const source = i * width;
    for (let j = 0; j < width; j++) sums[target + j]! += updateValues[source + j]!;
  }
  return tf.tensor2d(sums, [vocabSize, width]);
}

/** Gathers table rows for flat ids, with the scatter-add gradient above. */
function gatherRows(table: tf.Tensor2D, flatIds: tf.Tensor1D): tf.Tensor2D {
  const op = customGradient<[tf.Tensor2D], tf.Tensor2D>(([rows], save) => {
    // Saved rather than closed over, so the ids outlive a tidy between forward and backward.
    save([flatIds]);
    return {
      value: tf.gather(rows, flatIds),
      gradFunc: (dy, [savedIds]) => [scatterAddRows(dy, savedIds as tf.Tensor1D, rows.shape[0])],
    };
  });
  return op(table);
}

/**
 * Looks up `table [vocab, d]` rows for int32 token `ids` of any shape, giving `[...ids.shape, d]`.
 *
 * Differentiable in `table`. Ids are checked against the vocabulary first: wasm's gather would
 * otherwise read out of bounds silently.
 */
export function embedding(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  checkTensor(ids, 'embedding', 'ids');
  checkTensor(table, 'embedding', 'table');
  checkDtype(ids, 'int32', 'embedding', 'ids');
  checkRank(table, 2, 'embedding', 'table', '[vocab, d]');
  checkDtype(table, 'float32', 'embedding', 'table');
  const [vocabSize, width] = table.shape;
  const idValues = ids.dataSync();
  for (let i = 0; i < idValues.length; i++) {
    const id = idValues[i]!;
    check(
      id >= 0 && id < vocabSize,
      'embedding',
      () =>
        `ids must lie in [0, ${vocabSize}) for a table of shape ${formatShape(table.shape)}, ` +
        `got ${id} at flat position ${i}`,
    );
  }
  return tf.tidy(() => {
    const flatIds = ids.rank === 1 ? (ids as tf.Tensor1D) : tf.reshape(ids, [-1]);
    const rows = gatherRows(table, flatIds as tf.Tensor1D);
    return ids.rank === 1 ? rows : tf.reshape(rows, [...ids.shape, width]);
  });
}

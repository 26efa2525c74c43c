import { Rng } from '../train/rng';

/**
 * The order examples are visited in during `epoch`: a seeded permutation that depends only on
 * `(dataSeed, epoch)`, so a resumed run finds the exact position from the step count alone.
 */
export function epochOrder(count: number, dataSeed: number, epoch: number): number[] {
  const root = new Rng(dataSeed);
  let generator = root.fork();
  for (let index = 0; index < epoch; index++) generator = root.fork();
  return generator.shuffle(Array.from({ length: count }, (_, index) => index));
}

/** How a dataset of `count` examples maps onto micro-batches and optimizer steps. */
export interface StepPlan {
  /** Micro-batches per epoch (the last may be smaller). */
  batchesPerEpoch: number;
  /** Optimizer steps per epoch (the last may accumulate fewer micro-batches). */
  updatesPerEpoch: number;
  /** Optimizer steps in the run. */
  totalSteps: number;
}

/** Plans the run as transformers does: `maxSteps` wins, else epochs × steps per epoch (rounded up). */
export function planSteps(
  count: number,
  batchSize: number,
  accumulation: number,
  numTrainEpochs: number,
  maxSteps: number,
): StepPlan {
  const batchesPerEpoch = Math.ceil(count / batchSize);
  const updatesPerEpoch = Math.ceil(batchesPerEpoch / accumulation);
  const totalSteps = maxSteps > 0 ? maxSteps : Math.ceil(numTrainEpochs * updatesPerEpoch);
  return { batchesPerEpoch, updatesPerEpoch, totalSteps };
}

/** Example indices of each micro-batch of optimizer step `step`. */
export function microBatchesOfStep(
  step: number,
  order: readonly number[],
  plan: StepPlan,
  batchSize: number,
  accumulation: number,
): number[][] {
  const within = step % plan.updatesPerEpoch;
  const first = within * accumulation;
  const last = Math.min(first + accumulation, plan.batchesPerEpoch);
  const batches: number[][] = [];
  for (let batch = first; batch < last; batch++)
    batches.push(order.slice(batch * batchSize, (batch + 1) * batchSize));
  return batches;
}

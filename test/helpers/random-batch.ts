/** A synthetic replay batch for learner tests: normal observations and rewards, uniform actions. */
import type { Batch } from '../../src/learner.js';
import type { Rng } from '../../src/rng.js';

export interface RandomBatchOptions {
  size: number;
  obsDim: number;
  actDim: number;
  /** Std of the normal rewards. */
  rewardStd?: number;
  /** Probability of done = 1 per row. */
  doneRate: number;
}

export function randomBatch(rng: Rng, { size, obsDim, actDim, rewardStd = 1, doneRate }: RandomBatchOptions): Batch {
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  return {
    size,
    obsDim,
    actDim,
    obs: fill(size * obsDim, () => rng.normal()),
    actions: fill(size * actDim, () => rng.uniform(-1, 1)),
    rewards: fill(size, () => rng.normal(0, rewardStd)),
    nextObs: fill(size * obsDim, () => rng.normal()),
    dones: fill(size, () => (rng.random() < doneRate ? 1 : 0)),
    discounts: fill(size, () => 0.99),
    indices: Int32Array.from({ length: size }, (_, i) => i),
  };
}

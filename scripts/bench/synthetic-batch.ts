/** The benchmarks' fixed synthetic batch (spec/tfjs-backends.md §1.2's workload): N(0,1) observations and rewards, uniform actions, 2 % terminal. */
import type { Batch } from '../../src/learner.js';
import type { Rng } from '../../src/rng.js';

export function syntheticBatch(rng: Rng, size: number, obsDim: number, actDim: number): Batch {
  const fill = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  return {
    size,
    obsDim,
    actDim,
    obs: fill(size * obsDim, () => rng.normal()),
    actions: fill(size * actDim, () => rng.uniform(-1, 1)),
    rewards: fill(size, () => rng.normal()),
    nextObs: fill(size * obsDim, () => rng.normal()),
    dones: fill(size, () => (rng.random() < 0.02 ? 1 : 0)),
    discounts: fill(size, () => 0.99),
    indices: Int32Array.from({ length: size }, (_, i) => i),
  };
}

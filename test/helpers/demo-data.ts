/**
 * Small synthetic demonstration datasets for the demos tests: values drawn from a seeded stream,
 * with rewards that are not float32 numbers (to catch a narrowing) and both kinds of episode end.
 */
import { makeDataset, type DemoDataset, type DemoMetadata, type Episode } from '../../src/demos/index.js';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';

export const OBS_SPACE = new Box(-5, 5, [3]);
export const ACT_SPACE = new Box([-2, 0], [2, 1]);

/** An episode of `steps` steps; `end` says how it ends. */
export function syntheticEpisode(rng: Rng, steps: number, obsDim = 3, actDim = 2, end: 'terminated' | 'truncated' = 'truncated', withRewards = true): Episode {
  const obsRows = Float32Array.from({ length: (steps + 1) * obsDim }, () => rng.uniform(-5, 5));
  const actions = Float32Array.from({ length: steps * actDim }, (_, i) => (i % actDim === 0 ? rng.uniform(-2, 2) : rng.uniform(0, 1)));
  const rewards = Float64Array.from({ length: steps }, () => rng.normal() * 3.3);
  const terminated = new Uint8Array(steps);
  const truncated = new Uint8Array(steps);
  (end === 'terminated' ? terminated : truncated)[steps - 1] = 1;
  return {
    observations: obsRows.slice(0, steps * obsDim),
    actions,
    rewards: withRewards ? rewards : null,
    nextObservations: obsRows.slice(obsDim),
    terminated,
    truncated,
    return: rewards.reduce((a, b) => a + b, 0),
  };
}

/** A dataset of episodes with the given lengths, in Box(3) observations and the 2-D action box. */
export function syntheticDataset(lengths: number[], seed = 0, meta: Partial<Omit<DemoMetadata, 'expertReturn'>> = {}): DemoDataset {
  const rng = new Rng(seed);
  const episodes = lengths.map((n, i) => syntheticEpisode(rng, n, 3, 2, i % 2 === 0 ? 'truncated' : 'terminated'));
  return makeDataset(episodes, {
    envId: 'Synthetic-v0',
    observationSpace: OBS_SPACE.toJSON(),
    actionSpace: ACT_SPACE.toJSON(),
    source: 'test/helpers/demo-data.ts',
    seed: 2 ** 40 + 3,
    randomReturn: { mean: -100.5, std: 12.25, min: -130, max: -80, episodes: 50 },
    ...meta,
  });
}

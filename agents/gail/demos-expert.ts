/**
 * The `file` expert source: GAIL's expert transitions from a demonstrations file (src/demos: our
 * HDF5 layout, the paper authors' or Minari's), checked against the run's env before training.
 *
 * As the paper (§5.1): the first `numDemos` episodes, each subsampled 1/20 from a random offset
 * drawn from the run's seed. Actions are mapped onto the learner's [−1, 1]. The normalized score
 * uses the file's statistics: its expert return over all its episodes, and the random-policy
 * return recorded by `imitate collect` (or, when the file has none, that of 10 random episodes
 * on the env, seeded by the run).
 */
import { demoEnv, loadDemos, PAPER_SUBSAMPLE_RATE, selectEpisodes, subsampleDataset, toTransitions } from '../../src/demos/index.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { meanStd, randomPolicy, rollout } from '../../src/rollout.js';
import type { Box } from '../../src/spaces.js';
import { wrapBox } from '../../src/train/env-setup.js';
import type { ExpertContext, ExpertLoader, ExpertTransitions } from './expert.js';

/** Episodes of a uniformly random policy used for R_random when the file records none. */
const RANDOM_EPISODES = 10;

export const demosExpertLoader: ExpertLoader = async (file: string, context: ExpertContext, numDemos: number, seed: number): Promise<ExpertTransitions> => {
  const env = demoEnv(context.env, { kwargs: context.envKwargs, maxEpisodeSteps: context.maxEpisodeSteps });
  const { dataset } = await loadDemos(file, { env });
  const selected = selectEpisodes(dataset, numDemos);
  const sub = subsampleDataset(selected, PAPER_SUBSAMPLE_RATE, new Rng(seed).stream('demos-subsample'));
  const t = toTransitions(sub, { actionSpace: env.actionSpace as Box });
  return {
    count: t.size,
    obsDim: t.obsDim,
    actDim: t.actDim,
    obs: t.obs,
    actions: t.actions,
    nextObs: t.nextObs,
    terminated: Uint8Array.from(t.terminated),
    expertReturn: dataset.metadata.expertReturn.mean,
    randomReturn: dataset.metadata.randomReturn?.mean ?? randomReturn(context, seed),
    description: `${numDemos} of ${dataset.episodes.length} episodes of ${file}, subsampled 1/${PAPER_SUBSAMPLE_RATE}`,
  };
};

function randomReturn(context: ExpertContext, seed: number): number {
  const env = wrapBox(make(context.env, { kwargs: context.envKwargs, ...(context.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: context.maxEpisodeSteps }) }), context.env);
  try {
    const rng = new Rng(seed).stream('demos-random');
    return meanStd(rollout(env, randomPolicy(env.actionSpace as Box, rng), { episodes: RANDOM_EPISODES, seed: rng.seed() }).map((e) => e.return)).mean;
  } finally {
    env.close();
  }
}

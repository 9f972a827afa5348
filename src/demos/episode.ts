/**
 * Demonstrations: episodes of (s, a, r, s', terminated, truncated) and what is known of where they
 * came from. Everything that reads or writes demonstrations (the HDF5 layouts, validation,
 * selection and subsampling, BC and GAIL) works on these types.
 */
import { meanStd } from '../rollout.js';
import type { SpaceJSON } from '../spaces.js';

/**
 * One episode of T steps, row-major: row t of `observations` is s_t, of `actions` a_t, of
 * `nextObservations` s_{t+1}. Actions are in the env's own action space (not the learner's
 * [−1, 1]), as Gymnasium and Minari record them.
 */
export interface Episode {
  /** [T × obsDim] */
  readonly observations: Float32Array;
  /** [T × actDim] */
  readonly actions: Float32Array;
  /** [T], or null when the source records only the episode's return (the authors' layout). */
  readonly rewards: Float64Array | null;
  /** [T × obsDim] */
  readonly nextObservations: Float32Array;
  /** [T]: 1 where the step ended the episode in a terminal state. */
  readonly terminated: Uint8Array;
  /** [T]: 1 where the episode was cut (time limit) without reaching a terminal state. */
  readonly truncated: Uint8Array;
  /** The undiscounted env return: the sum of `rewards`, or the source's recorded return. */
  readonly return: number;
}

/** Mean, population std, min and max of some episodes' returns. */
export interface ReturnStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  episodes: number;
}

/** What is known of a dataset's origin. */
export interface DemoMetadata {
  /** The env the episodes were played in, or null when the source does not say (the authors' layout). */
  envId: string | null;
  /** JSON of the observation space (src/spaces.ts), or null when unknown. */
  observationSpace: SpaceJSON | null;
  /** JSON of the env's action space, or null when unknown. */
  actionSpace: SpaceJSON | null;
  /** Free text: how the episodes were made, e.g. the `imitate collect` command line. */
  source: string;
  /** Seed of the collection, or null. */
  seed: number | null;
  /** Returns of the episodes in the dataset (computed on load, never trusted from the file). */
  expertReturn: ReturnStats;
  /** A random policy's returns in the same env, when recorded: the 0 of normalized scores. */
  randomReturn: ReturnStats | null;
}

/** A loaded or collected demonstration dataset. */
export interface DemoDataset {
  readonly metadata: DemoMetadata;
  readonly episodes: readonly Episode[];
  readonly obsDim: number;
  readonly actDim: number;
}

/** Number of steps of an episode. */
export function episodeLength(ep: Episode): number {
  return ep.terminated.length;
}

/** Total number of steps over all episodes. */
export function totalSteps(dataset: { episodes: readonly Episode[] }): number {
  return dataset.episodes.reduce((n, ep) => n + episodeLength(ep), 0);
}

/** Sum of rewards in float64, in step order. */
export function sumRewards(rewards: Float64Array): number {
  let s = 0;
  for (let i = 0; i < rewards.length; i++) s += rewards[i];
  return s;
}

/** Statistics of the given returns (population std, as SB3 reports returns). */
export function returnStats(returns: readonly number[]): ReturnStats {
  const { mean, std } = meanStd(returns);
  return { mean, std, min: Math.min(...returns), max: Math.max(...returns), episodes: returns.length };
}

/**
 * A dataset from episodes and what is known of their origin; the expert return statistics are
 * computed from the episodes. Dimensions come from the first episode (validation checks the rest).
 */
export function makeDataset(episodes: readonly Episode[], meta: Omit<DemoMetadata, 'expertReturn'>, dims?: { obsDim: number; actDim: number }): DemoDataset {
  const first = episodes[0];
  const obsDim = dims?.obsDim ?? (first === undefined ? 0 : first.observations.length / Math.max(1, episodeLength(first)));
  const actDim = dims?.actDim ?? (first === undefined ? 0 : first.actions.length / Math.max(1, episodeLength(first)));
  return {
    metadata: { ...meta, expertReturn: returnStats(episodes.map((e) => e.return)) },
    episodes,
    obsDim,
    actDim,
  };
}

/**
 * Normalized score (R − R_random) / (R_expert − R_random): 0 is the random policy, 1 the expert.
 * Throws when the dataset records no random return, or when expert and random coincide.
 */
export function normalizedScore(ret: number, metadata: Pick<DemoMetadata, 'expertReturn' | 'randomReturn'>): number {
  if (metadata.randomReturn === null) throw new Error('normalized score: the dataset records no random-policy return');
  const span = metadata.expertReturn.mean - metadata.randomReturn.mean;
  if (!(Math.abs(span) > 0)) throw new Error('normalized score: expert and random returns are equal');
  return (ret - metadata.randomReturn.mean) / span;
}

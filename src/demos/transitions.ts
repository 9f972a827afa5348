/**
 * Demonstrations as flat transitions (s, a, s', terminated), row i one transition, the way a
 * learner consumes them (BC's regression targets, GAIL's expert batches), with actions optionally
 * mapped from the env's Box onto the learner's [−1, 1].
 */
import type { Rng } from '../rng.js';
import type { Box } from '../spaces.js';
import { episodeLength, type DemoDataset } from './episode.js';

/** Flat, row-major transitions. */
export interface DemoTransitions {
  readonly size: number;
  readonly obsDim: number;
  readonly actDim: number;
  /** [size × obsDim] */
  readonly obs: Float32Array;
  /** [size × actDim], in the env's action space or in [−1, 1] (see {@link toTransitions}). */
  readonly actions: Float32Array;
  /** [size × obsDim] */
  readonly nextObs: Float32Array;
  /** [size]: 1 where s' is terminal (no bootstrap). */
  readonly terminated: Float32Array;
  /** [size]: 1 where the episode was cut after this transition. */
  readonly truncated: Float32Array;
}

/**
 * All transitions of `dataset`, episode after episode. With `actionSpace`, actions are mapped
 * affinely from [low, high] onto [−1, 1] (the inverse of the RescaleAction the learners act
 * through) and clipped there.
 */
export function toTransitions(dataset: DemoDataset, options: { actionSpace?: Box } = {}): DemoTransitions {
  const { obsDim, actDim } = dataset;
  const size = dataset.episodes.reduce((n, ep) => n + episodeLength(ep), 0);
  const obs = new Float32Array(size * obsDim);
  const actions = new Float32Array(size * actDim);
  const nextObs = new Float32Array(size * obsDim);
  const terminated = new Float32Array(size);
  const truncated = new Float32Array(size);
  let row = 0;
  for (const ep of dataset.episodes) {
    const T = episodeLength(ep);
    obs.set(ep.observations, row * obsDim);
    actions.set(ep.actions, row * actDim);
    nextObs.set(ep.nextObservations, row * obsDim);
    terminated.set(ep.terminated, row);
    truncated.set(ep.truncated, row);
    row += T;
  }
  const box = options.actionSpace;
  if (box !== undefined) {
    if (box.size !== actDim) throw new RangeError(`toTransitions: the action space ${box} has ${box.size} dimensions, the demonstrations ${actDim}`);
    if (!box.isBounded()) throw new RangeError(`toTransitions: the action space ${box} has an infinite bound; actions cannot be mapped onto [-1, 1]`);
    for (let i = 0; i < actions.length; i++) {
      const j = i % actDim;
      const v = (2 * (actions[i] - box.low[j])) / (box.high[j] - box.low[j]) - 1;
      actions[i] = Math.min(1, Math.max(-1, v));
    }
  }
  return { size, obsDim, actDim, obs, actions, nextObs, terminated, truncated };
}

/** `n` transitions drawn uniformly with replacement from `t` with `rng`. */
export function sampleTransitions(t: DemoTransitions, n: number, rng: Rng): DemoTransitions {
  if (t.size === 0) throw new RangeError('sampleTransitions: no transitions to sample from');
  const rows = Array.from({ length: n }, () => rng.int(t.size));
  return gatherTransitions(t, rows);
}

/** The transitions at `rows`, in that order. */
export function gatherTransitions(t: DemoTransitions, rows: readonly number[]): DemoTransitions {
  const { obsDim, actDim } = t;
  const n = rows.length;
  const obs = new Float32Array(n * obsDim);
  const actions = new Float32Array(n * actDim);
  const nextObs = new Float32Array(n * obsDim);
  const terminated = new Float32Array(n);
  const truncated = new Float32Array(n);
  rows.forEach((r, k) => {
    if (!Number.isInteger(r) || r < 0 || r >= t.size) throw new RangeError(`gatherTransitions: row ${r} is outside [0, ${t.size})`);
    obs.set(t.obs.subarray(r * obsDim, (r + 1) * obsDim), k * obsDim);
    actions.set(t.actions.subarray(r * actDim, (r + 1) * actDim), k * actDim);
    nextObs.set(t.nextObs.subarray(r * obsDim, (r + 1) * obsDim), k * obsDim);
    terminated[k] = t.terminated[r];
    truncated[k] = t.truncated[r];
  });
  return { size: n, obsDim, actDim, obs, actions, nextObs, terminated, truncated };
}

/**
 * Recording demonstrations: episodes of a policy in an env, with the actions the env received.
 * Each episode starts from a reset seeded by a draw from the given stream (as evaluation does),
 * so one seed reproduces the whole dataset.
 */
import type { Env } from '../env.js';
import type { Rng } from '../rng.js';
import type { Box } from '../spaces.js';
import type { Episode } from './episode.js';

/** Options of {@link collectEpisodes}. */
export interface CollectOptions {
  episodes: number;
  /** Seeds each episode's reset. */
  rng: Rng;
  /** Called after each episode, e.g. to print it. */
  onEpisode?: (ep: Episode, index: number) => void;
  /** Called at each episode start (a stochastic policy may reset its noise). */
  onEpisodeStart?: () => void;
}

/**
 * Plays `options.episodes` episodes of `policy` in `env` and records every step. `policy` returns
 * the action in the env's own action space, which is what the episode records.
 */
export function collectEpisodes(env: Env<Float32Array, Float32Array>, policy: (obs: Float32Array) => Float32Array, options: CollectOptions): Episode[] {
  const obsDim = (env.observationSpace as Box).size;
  const actDim = (env.actionSpace as Box).size;
  const episodes: Episode[] = [];
  for (let i = 0; i < options.episodes; i++) {
    options.onEpisodeStart?.();
    let [obs] = env.reset({ seed: options.rng.seed() });
    const observations: number[] = [];
    const actions: number[] = [];
    const rewards: number[] = [];
    const next: number[] = [];
    const terminated: number[] = [];
    const truncated: number[] = [];
    for (;;) {
      const action = policy(obs);
      if (action.length !== actDim) throw new Error(`collect: the policy returned ${action.length} action values, the env needs ${actDim}`);
      const [nextObs, reward, term, trunc] = env.step(action);
      pushAll(observations, obs, obsDim);
      pushAll(actions, action, actDim);
      pushAll(next, nextObs, obsDim);
      rewards.push(reward);
      terminated.push(term ? 1 : 0);
      // A step that is both terminal and at the time limit is terminal: nothing to bootstrap.
      truncated.push(trunc && !term ? 1 : 0);
      obs = nextObs;
      if (term || trunc) break;
    }
    const ep: Episode = {
      observations: Float32Array.from(observations),
      actions: Float32Array.from(actions),
      rewards: Float64Array.from(rewards),
      nextObservations: Float32Array.from(next),
      terminated: Uint8Array.from(terminated),
      truncated: Uint8Array.from(truncated),
      return: rewards.reduce((a, b) => a + b, 0),
    };
    episodes.push(ep);
    options.onEpisode?.(ep, i);
  }
  return episodes;
}

function pushAll(into: number[], values: ArrayLike<number>, n: number): void {
  for (let j = 0; j < n; j++) into.push(values[j]);
}

/**
 * Runs episodes of a policy in an env and reports each one's return and length. The `imitate
 * rollout` command uses it with a random policy; evaluation uses it with a trained one.
 */
import type { Env, Info } from './env.js';
import { Rng } from './rng.js';
import type { Space, SpaceValue } from './spaces.js';

/** Chooses an action for an observation. */
export type Policy = (obs: SpaceValue) => SpaceValue;

/** One finished episode. */
export interface EpisodeResult {
  return: number;
  length: number;
  terminated: boolean;
  truncated: boolean;
  /** The info of the last step. */
  info: Info;
}

/** Options of {@link rollout}. */
export interface RolloutOptions {
  episodes: number;
  /** Seeds the first reset; later resets continue the env's stream (Gymnasium's rule). */
  seed?: number;
  /** A safety cap on steps per episode for envs registered without a time limit. */
  maxSteps?: number;
  /** Called after each episode, e.g. to print it. */
  onEpisode?: (ep: EpisodeResult, index: number) => void;
}

/** A policy that samples uniformly from `space` with its own seeded stream. */
export function randomPolicy(space: Space, rng: Rng): Policy {
  return () => space.sample(rng);
}

/** Plays `options.episodes` episodes of `policy` in `env` and returns them in order. */
export function rollout(env: Env, policy: Policy, options: RolloutOptions): EpisodeResult[] {
  const results: EpisodeResult[] = [];
  const maxSteps = options.maxSteps ?? Infinity;
  for (let i = 0; i < options.episodes; i++) {
    let [obs] = env.reset(i === 0 && options.seed !== undefined ? { seed: options.seed } : {});
    let ret = 0;
    let length = 0;
    for (;;) {
      const [next, reward, terminated, truncated, info] = env.step(policy(obs));
      ret += reward;
      length += 1;
      obs = next;
      if (terminated || truncated || length >= maxSteps) {
        const ep = { return: ret, length, terminated, truncated, info };
        results.push(ep);
        options.onEpisode?.(ep, i);
        break;
      }
    }
  }
  return results;
}

/** Mean and (population) standard deviation, as Gymnasium and SB3 report returns. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance) };
}

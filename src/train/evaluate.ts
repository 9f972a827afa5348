/**
 * Evaluation: episodes of a deterministic policy in an env, each reset with a seed drawn from a
 * given stream, summarised as SB3's evaluate_policy reports them (population std).
 */
import type { Env } from '../env.js';
import type { Rng } from '../rng.js';
import { meanStd } from '../rollout.js';
import type { EvalResult } from './checkpoint.js';

/** One finished evaluation episode. */
export interface EvalEpisode {
  return: number;
  length: number;
  terminated: boolean;
}

/** Plays `episodes` episodes of `act` in `env` (actions in the env's own action space). */
export function evaluatePolicy(
  env: Env,
  act: (obs: Float32Array) => Float32Array,
  options: { episodes: number; rng: Rng; step?: number; onEpisode?: (ep: EvalEpisode, index: number) => void },
): EvalResult {
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < options.episodes; i++) {
    let [obs] = env.reset({ seed: options.rng.seed() });
    let ret = 0;
    let length = 0;
    for (;;) {
      const [next, reward, terminated, truncated] = env.step(act(obs as Float32Array));
      ret += reward;
      length += 1;
      obs = next;
      if (terminated || truncated) {
        options.onEpisode?.({ return: ret, length, terminated }, i);
        break;
      }
    }
    returns.push(ret);
    lengths.push(length);
  }
  const r = meanStd(returns);
  return {
    step: options.step ?? 0,
    returnMean: r.mean,
    returnStd: r.std,
    returnMin: Math.min(...returns),
    returnMax: Math.max(...returns),
    lengthMean: meanStd(lengths).mean,
    returns,
    lengths,
  };
}

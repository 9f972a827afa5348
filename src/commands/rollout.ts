/** `imitate rollout`: a random policy in an env, each episode's return and length. */
import { make } from '../registry.js';
import { Rng } from '../rng.js';
import { meanStd, randomPolicy, rollout } from '../rollout.js';
import { parseOption, positiveInt, seedValue } from './options.js';

export interface RolloutCommandOptions {
  env: string;
  episodes: string | number;
  seed: string | number;
  maxSteps?: string | number;
  json?: boolean;
}

export function rolloutCommand(opts: RolloutCommandOptions, out: (line: string) => void): void {
  const episodes = parseOption('--episodes', positiveInt, opts.episodes);
  const seed = parseOption('--seed', seedValue, opts.seed);
  const maxSteps = opts.maxSteps === undefined ? undefined : parseOption('--max-steps', positiveInt, opts.maxSteps);
  const env = make(opts.env);
  try {
    // The action stream derives from the run seed but is independent of the env's own stream.
    const policy = randomPolicy(env.actionSpace, new Rng(seed).stream('policy'));
    const t0 = performance.now();
    const eps = rollout(env, policy, {
      episodes,
      seed,
      maxSteps,
      onEpisode: (ep, i) => {
        if (opts.json !== true) out(`episode ${String(i + 1).padStart(3)}  return ${ep.return.toFixed(3).padStart(11)}  length ${String(ep.length).padStart(5)}  ${ep.terminated ? 'terminated' : 'truncated'}`);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const returns = meanStd(eps.map((e) => e.return));
    const lengths = meanStd(eps.map((e) => e.length));
    const steps = eps.reduce((a, e) => a + e.length, 0);
    if (opts.json === true) {
      out(JSON.stringify({ env: opts.env, seed, episodes: eps.map(({ return: r, length, terminated, truncated }) => ({ return: r, length, terminated, truncated })), returnMean: returns.mean, returnStd: returns.std }, null, 2));
      return;
    }
    out(`${opts.env}: ${episodes} episodes, seed ${seed}, random policy`);
    out(`return ${returns.mean.toFixed(3)} ± ${returns.std.toFixed(3)}  length ${lengths.mean.toFixed(1)} ± ${lengths.std.toFixed(1)}  (${steps} steps, ${Math.round(steps / Math.max(seconds, 1e-9))} steps/s)`);
  } finally {
    env.close();
  }
}

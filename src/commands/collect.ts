/**
 * `imitate collect --policy DIR --env ID --episodes N --out FILE.h5`: records episodes of a saved
 * policy as a demonstration file (imitate's HDF5 layout, docs/demonstrations.md), with the
 * episodes' returns and, by default, a random policy's returns over 50 episodes in the same env
 * (the 0 of normalized scores).
 *
 * Streams, all from `--seed`: `collect` seeds each episode's reset, `collect-noise` the policy's
 * sampling (without --deterministic), `random` and `random-policy` the random-policy episodes.
 */
import { statSync } from 'node:fs';
import { initBackend } from '../backend.js';
import { collectEpisodes } from '../demos/collect.js';
import { makeDataset, returnStats, totalSteps, type ReturnStats } from '../demos/episode.js';
import { writeDemos } from '../demos/imitate-format.js';
import type { Env } from '../env.js';
import { loadPolicy } from '../nn/policy.js';
import { make } from '../registry.js';
import { Rng } from '../rng.js';
import { Box } from '../spaces.js';
import { wrapBox } from '../train/env-setup.js';
import { readEnvInfo } from '../train/run-dir.js';
import type { RescaleAction } from '../wrappers/rescale-action.js';
import { checkSpaces } from './eval.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';
import { z } from 'zod';

export interface CollectCommandOptions {
  policy: string;
  env?: string;
  episodes: string | number;
  out: string;
  seed: string | number;
  deterministic?: boolean;
  randomEpisodes: string | number;
  json?: boolean;
}

const nonNegativeInt = z.coerce.number().int('must be an integer').nonnegative('must be non-negative');

export async function collectCommand(opts: CollectCommandOptions, out: (line: string) => void): Promise<void> {
  const episodes = parseOption('--episodes', positiveInt, opts.episodes);
  const seed = parseOption('--seed', seedValue, opts.seed);
  const randomEpisodes = parseOption('--random-episodes', nonNegativeInt, opts.randomEpisodes);
  if (!/\.(h5|hdf5)$/i.test(opts.out)) throw new CliError(`--out ${opts.out}: a demonstration file ends in .h5 or .hdf5`);
  let info: ReturnType<typeof readEnvInfo>;
  try {
    info = readEnvInfo(opts.policy);
  } catch (e) {
    throw new CliError(`--policy ${opts.policy}: ${(e as Error).message}`);
  }
  const envId = opts.env ?? info.env;
  const sameEnv = envId === info.env;
  const makeRaw = () => make(envId, sameEnv ? { kwargs: info.envKwargs, ...(info.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: info.maxEpisodeSteps }) } : {}) as Env<Float32Array, Float32Array>;
  const raw = makeRaw();
  try {
    checkSpaces(raw, info, opts.policy, envId);
    // The policy acts in [−1, 1]; RescaleAction's map gives the env action, which is what is recorded.
    const rescale = wrapBox(raw, envId) as unknown as RescaleAction;
    await initBackend();
    const policy = await loadPolicy(opts.policy).catch((e: Error) => {
      throw new CliError(`--policy ${opts.policy}: ${e.message}`);
    });
    let expert;
    try {
      const obsSize = (raw.observationSpace as Box).size;
      if (policy.obsDim !== obsSize || policy.actDim !== info.actionSpace.size) {
        throw new CliError(`--policy ${opts.policy}: the policy maps ${policy.obsDim} observations to ${policy.actDim} actions, but ${envId} has ${obsSize} and ${info.actionSpace.size}`);
      }
      if (opts.deterministic !== true && policy.head !== 'gaussian-tanh') {
        throw new CliError(`--policy ${opts.policy}: a ${policy.algo} policy ('${policy.head}' head) is deterministic; pass --deterministic`);
      }
      const root = new Rng(seed);
      const noise = root.stream('collect-noise');
      const act = opts.deterministic === true ? (obs: Float32Array) => policy.act(obs) : (obs: Float32Array) => policy.sample(obs, noise);
      expert = collectEpisodes(raw, (obs) => rescale.action(act(obs)), {
        episodes,
        rng: root.stream('collect'),
        onEpisode: (ep, i) => {
          if (opts.json !== true) out(`episode ${String(i + 1).padStart(3)}  return ${ep.return.toFixed(3).padStart(11)}  length ${String(ep.terminated.length).padStart(5)}  ${ep.terminated.at(-1) === 1 ? 'terminated' : 'truncated'}`);
        },
      });
    } finally {
      policy.dispose();
    }
    const randomReturn = randomEpisodes > 0 ? randomPolicyReturns(raw, randomEpisodes, new Rng(seed)) : null;
    const command = `imitate collect --policy ${opts.policy} --env ${envId} --episodes ${episodes} --seed ${seed}${opts.deterministic === true ? ' --deterministic' : ''}`;
    const dataset = makeDataset(expert, {
      envId,
      observationSpace: raw.observationSpace.toJSON(),
      actionSpace: raw.actionSpace.toJSON(),
      source: `${command} (${policy.algo} policy${opts.deterministic === true ? ', deterministic' : ', sampled'})`,
      seed,
      randomReturn,
    });
    await writeDemos(opts.out, dataset);
    const e = dataset.metadata.expertReturn;
    if (opts.json === true) {
      out(JSON.stringify({ out: opts.out, env: envId, seed, episodes, steps: totalSteps(dataset), expertReturn: e, randomReturn, bytes: statSync(opts.out).size }, null, 2));
      return;
    }
    out(`${envId}: ${episodes} episodes (${totalSteps(dataset)} steps), seed ${seed}, policy ${opts.policy} (${policy.algo}, ${opts.deterministic === true ? 'deterministic' : 'sampled'})`);
    out(`expert return ${fmt(e)}`);
    if (randomReturn !== null) out(`random return ${fmt(randomReturn)}`);
    out(`wrote ${opts.out} (${statSync(opts.out).size} bytes)`);
  } finally {
    raw.close();
  }
}

/** Returns of a uniform random policy over `episodes` episodes in `env`. */
function randomPolicyReturns(env: Env<Float32Array, Float32Array>, episodes: number, root: Rng): ReturnStats {
  const actions = root.stream('random-policy');
  const space = env.actionSpace as Box;
  const eps = collectEpisodes(env, () => space.sample(actions), { episodes, rng: root.stream('random') });
  return returnStats(eps.map((ep) => ep.return));
}

function fmt(s: ReturnStats): string {
  return `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}  (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)}, ${s.episodes} episodes)`;
}

/**
 * The expert data GAIL consumes, and where it comes from.
 *
 * {@link ExpertTransitions} is deliberately small: flat Float32Array rows of (s, a, s'), each
 * row's true-termination flag, and the dataset's return statistics for the normalized score
 * (R − R_random) / (R_expert − R_random). Actions are in the learner's scale [−1, 1] (the
 * training loop wraps every env in RescaleAction(−1, 1)).
 *
 * Sources (`expert.source` in the GAIL config):
 * - `file`: a demonstrations file, read through the loader registered with
 *   {@link registerExpertLoader} (the demonstrations layer provides it; until then `file` fails
 *   with a message saying so);
 * - `policy`: episodes generated in memory by a saved policy directory (a run's `policy/`),
 *   subsampled like the paper's demos. Used by the tests and as a first end-to-end path.
 */
import { loadPolicy } from '../../src/nn/policy.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { meanStd, randomPolicy, rollout } from '../../src/rollout.js';
import type { Box } from '../../src/spaces.js';
import { wrapBox } from '../../src/train/env-setup.js';

export interface ExpertTransitions {
  /** Transitions stored. */
  count: number;
  obsDim: number;
  actDim: number;
  /** [count × obsDim] */
  obs: Float32Array;
  /** [count × actDim], in [−1, 1] (the learner's action scale). */
  actions: Float32Array;
  /** [count × obsDim] */
  nextObs: Float32Array;
  /** [count]: 1 where the transition ended its episode by a true termination (not a time limit). */
  terminated: Uint8Array;
  /** Mean return of the expert's episodes, for the normalized score. */
  expertReturn: number;
  /** Mean return of a uniformly random policy on the env, for the normalized score. */
  randomReturn: number;
  /** Where the data came from, for logs. */
  description: string;
}

/** Where the env of the run lives and how it is made, for loaders that need it. */
export interface ExpertContext {
  env: string;
  envKwargs: Record<string, unknown>;
  maxEpisodeSteps: number | null;
  obsDim: number;
  actDim: number;
}

/** Reads `numDemos` demonstrations from `file` (subsampled, seeded by `seed`) for the run's env. */
export type ExpertLoader = (file: string, context: ExpertContext, numDemos: number, seed: number) => Promise<ExpertTransitions>;

let fileLoader: ExpertLoader | null = null;

/** Installs the loader of the `file` source (the demonstrations layer calls this once). */
export function registerExpertLoader(loader: ExpertLoader): void {
  fileLoader = loader;
}

/** The `file` source: delegates to the registered loader. */
export async function loadExpertFile(file: string, context: ExpertContext, numDemos: number, seed: number): Promise<ExpertTransitions> {
  if (fileLoader === null) throw new Error(`cannot read demonstrations from ${file}: no demonstrations loader is registered (the demonstrations layer registers one; meanwhile use expert.source = 'policy')`);
  return fileLoader(file, context, numDemos, seed);
}

/**
 * Refuses expert data whose spaces do not match the env's, before training starts; the message
 * gives both shapes. Also checks array lengths and finiteness.
 */
export function validateExpert(expert: ExpertTransitions, context: ExpertContext): void {
  const where = `expert data (${expert.description})`;
  if (expert.obsDim !== context.obsDim || expert.actDim !== context.actDim) {
    throw new Error(
      `${where} does not match env ${context.env}: demonstrations have observations of shape [${expert.obsDim}] and actions of shape [${expert.actDim}], the env has observations of shape [${context.obsDim}] and actions of shape [${context.actDim}]`,
    );
  }
  if (!Number.isSafeInteger(expert.count) || expert.count < 1) throw new Error(`${where}: count must be a positive integer, got ${expert.count}`);
  const lengths: [string, number, number][] = [
    ['obs', expert.obs.length, expert.count * expert.obsDim],
    ['actions', expert.actions.length, expert.count * expert.actDim],
    ['nextObs', expert.nextObs.length, expert.count * expert.obsDim],
    ['terminated', expert.terminated.length, expert.count],
  ];
  for (const [field, got, want] of lengths) {
    if (got !== want) throw new Error(`${where}: ${field} has ${got} values, expected ${want} (count ${expert.count})`);
  }
  for (const field of ['obs', 'actions', 'nextObs'] as const) {
    const i = expert[field].findIndex((v) => !Number.isFinite(v));
    if (i >= 0) throw new Error(`${where}: ${field}[${i}] is ${expert[field][i]}; expert data must be finite`);
  }
  for (const field of ['expertReturn', 'randomReturn'] as const) {
    if (!Number.isFinite(expert[field])) throw new Error(`${where}: ${field} must be a finite number, got ${expert[field]}`);
  }
}

/** The normalized score (R − R_random) / (R_expert − R_random). */
export function normalizedScore(ret: number, expert: Pick<ExpertTransitions, 'expertReturn' | 'randomReturn'>): number {
  return (ret - expert.randomReturn) / (expert.expertReturn - expert.randomReturn);
}

export interface PolicyExpertOptions {
  /** Episodes to record. */
  episodes: number;
  /** Keep every `subsample`-th transition from a random offset per episode (the paper: 20). */
  subsample: number;
  seed: number;
  /** Episodes of a uniformly random policy for R_random. */
  randomEpisodes: number;
}

/**
 * Expert transitions from a saved policy: `episodes` deterministic episodes on the run's env
 * (seeds from `seed`), subsampled with a random offset in [0, subsample) per episode.
 */
export async function expertFromPolicy(policyDir: string, context: ExpertContext, options: PolicyExpertOptions): Promise<ExpertTransitions> {
  const policy = await loadPolicy(policyDir);
  const env = wrapBox(make(context.env, { kwargs: context.envKwargs, ...(context.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: context.maxEpisodeSteps }) }), context.env);
  try {
    const o = context.obsDim;
    const a = policy.actDim;
    const rng = new Rng(options.seed).stream('expert-subsample');
    const obs: number[] = [];
    const acts: number[] = [];
    const next: number[] = [];
    const term: number[] = [];
    const returns: number[] = [];
    const envRng = new Rng(options.seed).stream('expert-env');
    for (let ep = 0; ep < options.episodes; ep++) {
      let [s] = env.reset({ seed: envRng.seed() });
      const offset = rng.int(options.subsample);
      let ret = 0;
      for (let t = 0; ; t++) {
        if (s.length !== o) throw new Error(`policy ${policyDir} on ${context.env}: observation has ${s.length} values, expected ${o}`);
        const act = policy.act(s);
        const [s2, r, terminated, truncated] = env.step(act);
        ret += r;
        if (t % options.subsample === offset) {
          obs.push(...s);
          acts.push(...act);
          next.push(...s2);
          term.push(terminated && !truncated ? 1 : 0);
        }
        s = s2;
        if (terminated || truncated) break;
      }
      returns.push(ret);
    }
    const randomEnv = wrapBox(make(context.env, { kwargs: context.envKwargs, ...(context.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: context.maxEpisodeSteps }) }), context.env);
    let randomReturn: number;
    try {
      const rrng = new Rng(options.seed).stream('expert-random');
      randomReturn = meanStd(rollout(randomEnv, randomPolicy(randomEnv.actionSpace as Box, rrng), { episodes: options.randomEpisodes, seed: rrng.seed() }).map((e) => e.return)).mean;
    } finally {
      randomEnv.close();
    }
    return {
      count: term.length,
      obsDim: o,
      actDim: a,
      obs: Float32Array.from(obs),
      actions: Float32Array.from(acts),
      nextObs: Float32Array.from(next),
      terminated: Uint8Array.from(term),
      expertReturn: meanStd(returns).mean,
      randomReturn,
      description: `${options.episodes} episodes of ${policyDir}, subsampled 1/${options.subsample}`,
    };
  } finally {
    env.close();
  }
}

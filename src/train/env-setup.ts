/**
 * The envs of a training run: the training env and a separate evaluation env, both made by id
 * from the registry and wrapped in RescaleAction(−1, 1), since learners act in [−1, 1] and never
 * see env bounds. Only Box observation and action spaces are supported.
 */
import type { Env } from '../env.js';
import { make } from '../registry.js';
import { Box, type Space } from '../spaces.js';
import { RescaleAction } from '../wrappers/rescale-action.js';
import type { EnvInfo } from './run-dir.js';

export interface TrainingEnvs {
  env: Env<Float32Array, Float32Array>;
  evalEnv: Env<Float32Array, Float32Array>;
  obsDim: number;
  actDim: number;
  /** The agent-side action space, Box(−1, 1): random exploration samples it. */
  agentActionSpace: Box;
  info: EnvInfo;
  close(): void;
}

/** Makes and checks the two envs of a run. */
export function makeTrainingEnvs(config: { env: string; envKwargs: Record<string, unknown>; maxEpisodeSteps: number | null }): TrainingEnvs {
  const build = (): Env<Float32Array, Float32Array> => {
    const raw = make(config.env, { kwargs: config.envKwargs, ...(config.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: config.maxEpisodeSteps }) });
    try {
      return wrapBox(raw, config.env);
    } catch (e) {
      raw.close();
      throw e;
    }
  };
  const env = build();
  let evalEnv: Env<Float32Array, Float32Array>;
  try {
    evalEnv = build();
  } catch (e) {
    env.close();
    throw e;
  }
  const inner = innerActionSpace(env);
  return {
    env,
    evalEnv,
    obsDim: (env.observationSpace as Box).size,
    actDim: inner.size,
    agentActionSpace: env.actionSpace as Box,
    info: {
      env: config.env,
      envKwargs: config.envKwargs,
      maxEpisodeSteps: config.maxEpisodeSteps,
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: inner.toJSON(),
      policyActionRange: [-1, 1],
    },
    close() {
      env.close();
      evalEnv.close();
    },
  };
}

/** Checks that `env` has Box spaces and wraps it so that its agent acts in [−1, 1]. */
export function wrapBox(env: Env, id: string): Env<Float32Array, Float32Array> {
  const obs: Space = env.observationSpace;
  const act: Space = env.actionSpace;
  if (!(obs instanceof Box)) throw new TypeError(`env ${id}: observation space ${obs} is not supported; off-policy training needs a Box observation space`);
  if (!(act instanceof Box)) throw new TypeError(`env ${id}: action space ${act} is not supported; SAC and TD3 need a Box (continuous) action space`);
  if (!act.isBounded()) throw new RangeError(`env ${id}: action space ${act} has an infinite bound; actions are rescaled from [-1, 1] onto the env's bounds, which must be finite`);
  return new RescaleAction(env as Env<Float32Array, Float32Array>, -1, 1) as unknown as Env<Float32Array, Float32Array>;
}

function innerActionSpace(env: Env): Box {
  return (env as unknown as { env: Env }).env.actionSpace as Box;
}

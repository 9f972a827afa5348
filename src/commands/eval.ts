/**
 * `imitate eval --policy DIR`: runs a saved deterministic policy (a run's `policy/`) for some
 * episodes and prints each one and the mean return ± std. The policy acts in [−1, 1]; its
 * `env.json` records the env's action space, onto which actions are rescaled.
 */
import { initBackend } from '../backend.js';
import type { Env } from '../env.js';
import { loadPolicy } from '../nn/policy.js';
import { make } from '../registry.js';
import { Rng } from '../rng.js';
import { Box } from '../spaces.js';
import { wrapBox } from '../train/env-setup.js';
import { evaluatePolicy } from '../train/evaluate.js';
import { readEnvInfo } from '../train/run-dir.js';
import { CliError, parseOption, positiveInt, seedValue } from './options.js';

export interface EvalCommandOptions {
  policy: string;
  env?: string;
  episodes: string | number;
  seed: string | number;
  json?: boolean;
}

export async function evalCommand(opts: EvalCommandOptions, out: (line: string) => void): Promise<void> {
  const episodes = parseOption('--episodes', positiveInt, opts.episodes);
  const seed = parseOption('--seed', seedValue, opts.seed);
  let info: ReturnType<typeof readEnvInfo>;
  try {
    info = readEnvInfo(opts.policy);
  } catch (e) {
    throw new CliError(`--policy ${opts.policy}: ${(e as Error).message}`);
  }
  const envId = opts.env ?? info.env;
  // The env the policy was trained on keeps its kwargs and step limit; another env gets its own.
  const sameEnv = envId === info.env;
  const raw = make(envId, sameEnv ? { kwargs: info.envKwargs, ...(info.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: info.maxEpisodeSteps }) } : {});
  let env: Env<Float32Array, Float32Array> | undefined;
  try {
    checkSpaces(raw, info, opts.policy, envId);
    env = wrapBox(raw, envId);
    await initBackend();
    const policy = await loadPolicy(opts.policy).catch((e: Error) => {
      throw new CliError(`--policy ${opts.policy}: ${e.message}`);
    });
    try {
      const obsSize = (raw.observationSpace as Box).size;
      if (policy.obsDim !== obsSize || policy.actDim !== info.actionSpace.size) {
        throw new CliError(`--policy ${opts.policy}: the policy maps ${policy.obsDim} observations to ${policy.actDim} actions, but ${envId} has ${obsSize} and ${info.actionSpace.size}`);
      }
      const result = evaluatePolicy(env, (obs) => policy.act(obs), {
        episodes,
        rng: new Rng(seed).stream('eval'),
        onEpisode: (ep, i) => {
          if (opts.json !== true) out(`episode ${String(i + 1).padStart(3)}  return ${ep.return.toFixed(3).padStart(11)}  length ${String(ep.length).padStart(5)}  ${ep.terminated ? 'terminated' : 'truncated'}`);
        },
      });
      if (opts.json === true) {
        out(JSON.stringify({ policy: opts.policy, env: envId, seed, returns: result.returns, lengths: result.lengths, returnMean: result.returnMean, returnStd: result.returnStd }, null, 2));
        return;
      }
      out(`${envId}: ${episodes} episodes, seed ${seed}, policy ${opts.policy} (${policy.algo})`);
      out(`return ${result.returnMean.toFixed(3)} ± ${result.returnStd.toFixed(3)}  length ${result.lengthMean.toFixed(1)}`);
    } finally {
      policy.dispose();
    }
  } finally {
    (env ?? raw).close();
  }
}

/** The env must have the spaces the policy was trained on (same sizes, same action bounds); `imitate collect` checks the same. */
export function checkSpaces(env: Env, info: ReturnType<typeof readEnvInfo>, policyDir: string, envId: string): void {
  const obs = env.observationSpace;
  const act = env.actionSpace;
  const where = `--policy ${policyDir} with --env ${envId}`;
  const savedObs = info.observationSpace;
  if (!(obs instanceof Box) || !(savedObs instanceof Box) || obs.size !== savedObs.size) {
    throw new CliError(`${where}: the env's observation space ${obs} does not match the policy's ${savedObs}`);
  }
  if (!(act instanceof Box) || act.size !== info.actionSpace.size) throw new CliError(`${where}: the env's action space ${act} does not match the policy's ${info.actionSpace}`);
  for (let i = 0; i < act.size; i++) {
    if (act.low[i] !== info.actionSpace.low[i] || act.high[i] !== info.actionSpace.high[i]) {
      throw new CliError(`${where}: the env's action bounds ${act} differ from the ones the policy was trained on, ${info.actionSpace}`);
    }
  }
}

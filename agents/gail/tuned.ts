/**
 * Loop and learner defaults of GAIL runs, per learner and env, under `--config` and `--set`.
 * - td3: the paper's configuration (§5.2): TD3_PAPER_PRESET (LayerNorm 300-200/400-300 nets,
 *   lr 2.5e-4, 0.75·min + 0.25·max targets, Huber, OU + adaptive parameter noise), batch 64,
 *   replay 1e5, 10-step returns.
 * - sac: SAC's own tuned defaults for the env (agents/hyperparams.ts), as an RL run would get.
 * Per-env additions below say where they come from.
 */
import { algorithm } from '../../src/learner.js';
import { deepMerge } from '../../src/train/config.js';
import { TD3_PAPER_PRESET } from '../td3.js';

const PAPER_TD3 = { batchSize: 64, bufferSize: 100_000, nStep: 10, gamma: 0.99, learner: TD3_PAPER_PRESET };

const PER_ENV: Record<string, Record<string, unknown>> = {
  // A short task: evaluate often enough for a learning curve.
  'Pendulum-v1': { steps: 20_000, evalEvery: 1000 },
  'InvertedPendulum-v5': { steps: 30_000, evalEvery: 2000 },
  'InvertedDoublePendulum-v5': { steps: 200_000, evalEvery: 5000 },
};

const SAC_PER_ENV: Record<string, Record<string, unknown>> = {
  // 64-64 nets: SAC's tuned 256-256 cost several times more per update on CPU, and Pendulum does
  // not need them; the README's GAIL job then runs in minutes.
  'Pendulum-v1': { learner: { actorNet: [64, 64], criticNet: [64, 64] } },
};

export function gailTunedDefaults(algo: string, envId: string): Record<string, unknown> {
  const base = algo === 'td3' ? (PAPER_TD3 as unknown as Record<string, unknown>) : deepMerge(algorithm(algo).tunedDefaults?.(envId) ?? {}, SAC_PER_ENV[envId] ?? {});
  return deepMerge(base, PER_ENV[envId] ?? {});
}
